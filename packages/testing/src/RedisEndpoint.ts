/** A host and port, shaped so it can be handed straight to ioredis (`sentinels`, cluster nodes). */
export interface RedisEndpoint {
  /** Always `127.0.0.1` for servers started by this package. */
  readonly host: string;
  /** TCP port (the TLS port when TLS is on). */
  readonly port: number;
}
