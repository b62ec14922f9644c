// Mid-tone colours: readable on white, and still readable when a client force-inverts the mail (Gmail apps,
// Outlook.com) where our dark-mode CSS does not apply.
export const COLORS = {
  page: '#f3f4f6',
  card: '#ffffff',
  text: '#1f2328',
  muted: '#59636e',
  link: '#0b5cad',
  rule: '#d8dee4',
  accent: '#0b5cad',
  badgeText: '#8a4600',
  badgeBg: '#fff1dc',
} as const;

export const DARK = {
  page: '#0d1117',
  card: '#161b22',
  text: '#e6edf3',
  muted: '#9198a1',
  link: '#6cb6ff',
  rule: '#30363d',
} as const;

/** Windows fonts first: Outlook falls back to Times New Roman when the first family is missing. */
export const FONT_STACK = "Arial,'Microsoft YaHei','PingFang SC','Hiragino Sans GB','Noto Sans CJK SC',sans-serif";
