/**
 * The prefix of a driver's environment variables: `STOWAGE_`, the driver's name upper-cased with
 * every character other than a letter or digit as `_`, and `_` (`my-store`: `STOWAGE_MY_STORE_`).
 */
export function driverVariablePrefix(driverName: string): string {
  return `STOWAGE_${driverName.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_`;
}
