// Small line icons, drawn as inline SVG in the text's colour. Emoji were used before, but a machine
// without a colour emoji font (many Linux desktops, headless Chromium, some rugged phones) shows an
// empty box for each one, and the box also pushes the text beside it out of line.
const SVG_NS = 'http://www.w3.org/2000/svg';

/** Each icon on a 24x24 grid: stroked paths, and `dot` for the filled recording mark. */
const ICONS = {
  camera: 'M4 8h3l2-3h6l2 3h3v11H4z M12 10a3.5 3.5 0 1 0 0 7 3.5 3.5 0 1 0 0-7',
  mic: 'M12 3a3 3 0 0 0-3 3v6a3 3 0 0 0 6 0V6a3 3 0 0 0-3-3z M6 11a6 6 0 0 0 12 0 M12 17v4 M8 21h8',
  record: 'M12 4a8 8 0 1 0 0 16 8 8 0 1 0 0-16',
  bookmark: 'M6 3h12v18l-6-5-6 5z',
  pin: 'M12 21s-7-6.5-7-12a7 7 0 0 1 14 0c0 5.5-7 12-7 12z M12 6.5a2.5 2.5 0 1 0 0 5 2.5 2.5 0 1 0 0-5',
  anchor: 'M12 2.5a2 2 0 1 0 0 4 2 2 0 1 0 0-4 M12 6.5V21 M8 10h8 M4.5 13a7.5 7.5 0 0 0 15 0',
} as const;

export type IconName = keyof typeof ICONS;

/** A decorative icon (hidden from screen readers: the text beside it says what it means). */
export function icon(name: IconName, className = ''): SVGSVGElement {
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  svg.setAttribute('class', `icon icon-${name} ${className}`.trim());
  const path = document.createElementNS(SVG_NS, 'path');
  path.setAttribute('d', ICONS[name]);
  svg.append(path);
  return svg;
}
