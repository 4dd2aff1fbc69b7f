// The one Instant client of the SPA. Which server it talks to (Instant Cloud, self-hosted
// Instant, or the local stand-in under `npm run dev`) is configuration only.
import { init } from '@instantdb/react';
import schema from '../../instant.schema.ts';

const env = import.meta.env;

if (!env.VITE_INSTANT_APP_ID) {
  throw new Error('VITE_INSTANT_APP_ID is not set: run `npm run dev`, or set it in .env.local (see .env.example).');
}

export const db = init({
  appId: env.VITE_INSTANT_APP_ID,
  schema,
  devtool: false,
  ...(env.VITE_INSTANT_API_URI ? { apiURI: env.VITE_INSTANT_API_URI } : {}),
  ...(env.VITE_INSTANT_WEBSOCKET_URI ? { websocketURI: env.VITE_INSTANT_WEBSOCKET_URI } : {}),
});
