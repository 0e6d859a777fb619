// Small helpers shared by both pages.

/** One message grammar for the console: `what | happened {details}`. */
export function log(message: string, details?: unknown): void {
  if (details === undefined || details === '') console.info(`[cloudship] ${message}`);
  else console.info(`[cloudship] ${message}`, details);
}

/** A short, human-readable device description for the participants log, e.g. "Chrome 126 / Android 14". */
export function describeDevice(ua: string = navigator.userAgent): string {
  // Most specific first: Edge, Opera, Samsung and WeChat also announce "Chrome/", Chrome "Safari/".
  const browsers: Array<[token: string, name: string]> = [
    ['EdgA', 'Edge'],
    ['Edg', 'Edge'],
    ['OPR', 'Opera'],
    ['SamsungBrowser', 'Samsung Internet'],
    ['MicroMessenger', 'WeChat'],
    ['FxiOS', 'Firefox'],
    ['Firefox', 'Firefox'],
    ['CriOS', 'Chrome'],
    ['Chrome', 'Chrome'],
    ['Version', 'Safari'],
  ];
  let browser = 'Browser';
  for (const [token, name] of browsers) {
    const match = new RegExp(`${token}/(\\d+)`).exec(ua);
    if (match) {
      browser = `${name} ${match[1]}`;
      break;
    }
  }
  const os =
    /Android [\d.]+/.exec(ua)?.[0] ??
    /(iPhone|iPad)[^;)]*OS ([\d_]+)/.exec(ua)?.[0].replace(/_/g, '.') ??
    (/Windows NT/.test(ua) ? 'Windows' : /Mac OS X/.test(ua) ? 'macOS' : /CrOS/.test(ua) ? 'ChromeOS' : /Linux/.test(ua) ? 'Linux' : '');
  return [browser, os].filter(Boolean).join(' / ').slice(0, 200);
}

/** `Date` -> ISO 8601 with the local offset, e.g. 2025-03-01T09:30:00+08:00 (what the API expects). */
export function toIsoWithOffset(date: Date): string {
  const pad = (n: number) => String(Math.floor(Math.abs(n))).padStart(2, '0');
  const offset = -date.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}` +
    `${sign}${pad(offset / 60)}:${pad(offset % 60)}`
  );
}

/** A value for <input type=datetime-local> (local time, minutes precision). */
export function toDatetimeLocalValue(date: Date): string {
  return toIsoWithOffset(date).slice(0, 16);
}
