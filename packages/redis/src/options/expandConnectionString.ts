import type { ConfigIssue } from '@stowage/core';
import { isRecord } from './optionReaders.js';
import { isConnectionString, parseConnectionString } from './parseConnectionString.js';

/**
 * When `url` is a StackExchange.Redis connection string, the same options spelled as driver
 * options (`url` removed), so that they are validated and resolved exactly as if given one by
 * one; otherwise the input as it is. A setting given both in the string and as an option is an
 * error, as it is for URLs.
 */
export function expandConnectionString(
  input: Record<string, unknown>,
): { readonly input: Record<string, unknown> } | { readonly issues: ConfigIssue[] } {
  const { url } = input;
  if (typeof url !== 'string' || url === '' || !isConnectionString(url)) return { input };
  const parsed = parseConnectionString(url);
  if (typeof parsed === 'string') return { issues: [{ path: 'url', message: parsed }] };
  const { endpoints, serviceName, servername, ...settings } = parsed;
  const mode = serviceName !== undefined ? 'sentinel' : input.mode;
  if (serviceName === undefined && endpoints.length > 1 && mode !== 'cluster') {
    return {
      issues: [
        {
          path: 'url',
          message:
            "names several endpoints: state mode 'cluster' (STOWAGE_REDIS_MODE=cluster), or give serviceName for Sentinel",
        },
      ],
    };
  }
  const { tls, ...plain } = settings;
  const fromString: Record<string, unknown> = { ...plain };
  if (mode === 'sentinel') {
    fromString.sentinels = endpoints;
    fromString.name = serviceName;
  } else if (mode === 'cluster') {
    fromString.nodes = endpoints;
  } else {
    fromString.host = endpoints[0]?.host;
    fromString.port = endpoints[0]?.port;
  }
  const issues: ConfigIssue[] = [];
  for (const name of Object.keys(fromString)) {
    if (input[name] !== undefined) {
      issues.push({ path: name, message: 'is also given in url: give it once' });
    }
  }
  if (input.mode !== undefined && input.mode !== mode) {
    issues.push({
      path: 'url',
      message: `is a sentinel connection string, but mode is '${String(input.mode)}'`,
    });
  }
  // ssl and sslHost combine with TLS settings given as options (a private CA, a client
  // certificate), but never contradict them.
  if (tls !== undefined) {
    const given = input.tls;
    if (isRecord(given)) {
      if (given.servername !== undefined && servername !== undefined) {
        issues.push({
          path: 'tls.servername',
          message: 'is also given in url (sslHost): give it once',
        });
      }
      if (given.enabled !== undefined) {
        issues.push({ path: 'tls.enabled', message: 'is also given in url (ssl): give it once' });
      }
      fromString.tls = {
        ...given,
        enabled: tls,
        ...(servername === undefined ? {} : { servername }),
      };
    } else if (given !== undefined) {
      issues.push({ path: 'tls', message: 'is also given in url (ssl): give it once' });
    } else {
      fromString.tls = servername === undefined ? tls : { enabled: tls, servername };
    }
  }
  if (issues.length > 0) return { issues };
  const { url: _url, ...rest } = input;
  return { input: { ...rest, ...(mode === undefined ? {} : { mode }), ...fromString } };
}
