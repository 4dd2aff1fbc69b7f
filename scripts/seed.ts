// `npm run seed`: seeds the catalog's wallpapers into the configured Instant app
// (local/dev/seed-catalog.ts, which `npm run dev` runs at start too).
import { seedCatalog } from '../local/dev/seed-catalog.ts';
import { loadEnvFile } from './load-env-file.ts';

loadEnvFile();
const n = await seedCatalog();
console.log(`seeded ${n} wallpapers`);
