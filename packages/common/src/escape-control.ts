/**
 * Makes text from a request safe to echo in an error message: control characters (C0 but newline and
 * tab, DEL, C1) become `\u00XX`, so a NUL or an escape sequence sent by a client never reaches a log,
 * a terminal or `kubectl describe` raw. Newlines and tabs stay: messages use them for layout.
 */
export function escapeControl(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, (char) => {
    return `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`;
  });
}
