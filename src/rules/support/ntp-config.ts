// The time sources of the reference ntpd and NTPsec (ntp.conf(5)) and of
// OpenNTPD (ntpd.conf(5)). Pure: text in, values out.
import type { TimeSource } from './chrony-config.js';

export interface NtpConfig {
  sources: TimeSource[];
  /** includefile PATH: read in place. */
  includes: { path: string; line: number }[];
}

/** Directives that name a source ntpd polls (broadcastclient only listens, and no provider is known to broadcast). */
const NTP_SOURCE_DIRECTIVES = new Set(['server', 'pool', 'peer', 'manycastclient', 'refclock']);

/**
 * The reference ntpd's "local clock" driver (type 1, 127.127.1.u) and
 * NTPsec's "refclock local": the machine's own clock presented as a
 * source. It keeps ntpd serving while cut off; it sets nothing right.
 */
const LOCAL_CLOCK_ADDRESS = /^127\.127\.1\.\d+$/;

function words(text: string): { words: string[]; line: number }[] {
  const lines: { words: string[]; line: number }[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    // Both ntpds take "#" to the end of the line as a comment.
    const content = raw.replace(/#.*$/, '').trim();
    if (content !== '') lines.push({ words: content.split(/\s+/), line: index + 1 });
  });
  return lines;
}

export function parseNtpConfig(text: string): NtpConfig {
  const config: NtpConfig = { sources: [], includes: [] };
  for (const { words: [directive, target, ...rest], line } of words(text)) {
    const keyword = directive!.toLowerCase();
    if (target === undefined) continue;
    if (keyword === 'includefile') {
      config.includes.push({ path: target, line });
    } else if (NTP_SOURCE_DIRECTIVES.has(keyword)) {
      if (LOCAL_CLOCK_ADDRESS.test(target) || (keyword === 'refclock' && target.toLowerCase() === 'local')) continue;
      config.sources.push({ directive: keyword, value: [target, ...rest].join(' '), line });
    }
  }
  return config;
}

/**
 * OpenNTPD: "server" and "servers" (every address a name resolves to) are
 * network sources, "sensor" a hardware one. "constraint(s) from" only
 * checks the time against HTTPS servers; it sets nothing by itself.
 */
export function parseOpenntpdConfig(text: string): NtpConfig {
  const config: NtpConfig = { sources: [], includes: [] };
  for (const { words: [directive, target, ...rest], line } of words(text)) {
    const keyword = directive!.toLowerCase();
    if (target === undefined) continue;
    if (keyword === 'server' || keyword === 'servers' || keyword === 'sensor') {
      config.sources.push({ directive: keyword, value: [target, ...rest].join(' '), line });
    }
  }
  return config;
}
