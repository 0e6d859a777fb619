// The language a request asks to be answered in (`Accept-Language`, as the pages send it for the
// language chosen in them): Chinese or English, English when it names neither.
import type { Request } from 'express';

export type Language = 'zh' | 'en';

export function requestLanguage(req: Request): Language {
  return req.acceptsLanguages('en', 'zh') === 'zh' ? 'zh' : 'en';
}
