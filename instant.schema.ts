// The shop's data model, pushed to a real Instant server with `npx instant-cli push schema`
// and loaded by the local Instant server under `npm run dev` and in tests.
import { i } from '@instantdb/core';

const _schema = i.schema({
  entities: {
    $users: i.entity({
      email: i.string().unique().indexed().optional(),
    }),
  },
  links: {},
});

type _AppSchema = typeof _schema;
// Instant's recommended pattern: an interface keeps editor hovers short.
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface AppSchema extends _AppSchema {}
const schema: AppSchema = _schema;

export default schema;
