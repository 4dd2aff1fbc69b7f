// The operator functions (api/ops/*), called with the signed-in operator's refresh token. The
// server decides who is an operator; a 403 here is the answer "not an operator".
import { postJson } from '../api-client.ts';

export { ApiError as OpsError } from '../api-client.ts';

export function opsCall<T>(command: string, refreshToken: string, body: unknown = {}): Promise<T> {
  return postJson<T>(`/api/ops/${command}`, body, { refreshToken });
}
