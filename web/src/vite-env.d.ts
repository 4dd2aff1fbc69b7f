/// <reference types="vite/client" />

interface ImportMetaEnv {
  readonly VITE_INSTANT_APP_ID: string;
  readonly VITE_INSTANT_API_URI?: string;
  readonly VITE_INSTANT_WEBSOCKET_URI?: string;
}

interface ImportMeta {
  readonly env: ImportMetaEnv;
}
