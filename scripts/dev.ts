// npm run dev: the whole shop locally, with no accounts and no network. Prints one URL.
import { watch } from 'node:fs';
import { startDevStack } from '../local/dev/dev-stack.ts';
import { loadProjectConfig, PERMS_FILE, SCHEMA_FILE } from '../local/instant/project-config.ts';
import { loadDevSettings, SettingsError } from '../local/dev/settings.ts';
import { validateCatalog } from '../catalog/product-schema.ts';
import { PRODUCTS } from '../catalog/products.ts';

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

const local = stack.instant.local;
if (local) {
  for (const file of [SCHEMA_FILE, PERMS_FILE]) {
    watch(file, () =>
      loadProjectConfig()
        .then(({ schema, rules }) => {
          local.reload(schema, rules);
          console.log(`reloaded ${SCHEMA_FILE} and ${PERMS_FILE}`);
        })
        .catch((e) => console.error(`could not reload ${file}: ${(e as Error).message}`)),
    );
  }
}

const stop = () => void stack.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
