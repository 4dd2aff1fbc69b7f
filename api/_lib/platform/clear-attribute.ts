// Writing null to an attribute clears it in Instant, but the admin SDK's update types accept only
// the attribute's own type. This is the one place that bridges the two.

/** `value`, or (when there is none) "clear this attribute" in an update. */
export function orClear<T>(value: T | null | undefined): T {
  return (value ?? null) as T;
}
