/** A setting the deployment lacks or has wrong: the function cannot work until it is fixed. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}
