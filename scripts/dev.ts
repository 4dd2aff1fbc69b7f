// npm run dev: the whole shop locally, with no accounts and no network. Prints one URL.
import { startDevStack } from '../local/dev/dev-stack.ts';
import { loadDevSettings, SettingsError } from '../local/dev/settings.ts';
import { validateCatalog } from '../catalog/product-schema.ts';
import { PRODUCTS } from '../catalog/products.ts';
import { loadEnvFile } from './load-env-file.ts';

// Everything in .env.local reaches the api/ functions' environment, as deployment settings do.
loadEnvFile();

let settings;
try {
  validateCatalog(PRODUCTS);
  settings = loadDevSettings();
} catch (e) {
  console.error(e instanceof SettingsError ? `Settings: ${e.message}. See .env.example.` : (e as Error).message);
  process.exit(1);
}

const stack = await startDevStack({ settings });
console.log(`\n  instant-shop is running at ${stack.url}\n`);
if (stack.mailbox) console.log(`  mailbox (magic codes, receipts): ${stack.url}/_local/mailbox`);
console.log(`  local services: .data/local.json\n`);

const stop = () => void stack.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
