export interface Bar {
  label: string;
  value: number;
  /** Text shown after the bar; default the value with `unit`. */
  text?: string;
}

export interface Panel {
  title: string;
  unit: string;
  bars: Bar[];
}

const escapeXml = (text: string): string =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** Horizontal bar chart panels (each scaled on its own), as a standalone SVG document. */
export function renderBarChart(title: string, panels: Panel[]): string {
  const width = 900;
  const labelWidth = 330;
  const barArea = width - labelWidth - 130;
  const barHeight = 22;
  const gap = 8;
  let y = 40;
  const parts: string[] = [
    `<text x="${width / 2}" y="24" text-anchor="middle" font-size="16" font-weight="bold">${escapeXml(title)}</text>`,
  ];
  const colors = ["#2f6db5", "#d9822b", "#3c9d5d", "#8e5cb5", "#c0392b", "#6c7a89"];
  for (const panel of panels) {
    y += 14;
    parts.push(`<text x="10" y="${y}" font-size="14" font-weight="bold">${escapeXml(panel.title)}</text>`);
    y += 10;
    const max = Math.max(...panel.bars.map((bar) => bar.value), 1e-9);
    panel.bars.forEach((bar, index) => {
      const length = Math.max(1, (bar.value / max) * barArea);
      const color = colors[index % colors.length];
      parts.push(
        `<text x="${labelWidth - 8}" y="${y + barHeight * 0.7}" text-anchor="end" font-size="12">${escapeXml(bar.label)}</text>`,
        `<rect x="${labelWidth}" y="${y}" width="${length.toFixed(1)}" height="${barHeight}" fill="${color}" rx="2"/>`,
        `<text x="${(labelWidth + length + 6).toFixed(1)}" y="${y + barHeight * 0.7}" font-size="12">${escapeXml(bar.text ?? `${bar.value} ${panel.unit}`)}</text>`,
      );
      y += barHeight + gap;
    });
    y += 6;
  }
  const height = y + 10;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" role="img" aria-label="${escapeXml(title)}">
<title>${escapeXml(title)}</title>
<rect width="100%" height="100%" fill="white"/>
${parts.join("\n")}
</svg>
`;
}
