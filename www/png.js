// A plot as a PNG to keep: drawn again at twice the on-screen size (through the
// same WebAssembly draw call), with a caption strip under it saying what it shows:
// the file, σ with its ±, and the main settings. No DOM use at import.

/** The PNG is drawn at this multiple of the plot's CSS size. */
export const PNG_SCALE = 2;
/** Caption: lines of text, their height and the padding around them, in CSS px. */
export const CAPTION_LINES = 3;
export const CAPTION_LINE_PX = 18;
export const CAPTION_PAD_PX = 8;

/** Height of the caption strip in device pixels at `scale`. */
export function captionHeight(scale = PNG_SCALE) {
  return Math.round((CAPTION_LINES * CAPTION_LINE_PX + 2 * CAPTION_PAD_PX) * scale);
}

/** `text` cut in the middle (keeping its end, where a file name says most) to fit `maxWidth`. */
function fitText(ctx, text, maxWidth) {
  if (ctx.measureText(text).width <= maxWidth) return text;
  const tail = Math.min(24, Math.floor(text.length / 2));
  let head = text.length - tail;
  let out = text;
  while (head > 1 && ctx.measureText(out).width > maxWidth) {
    head -= 1;
    out = `${text.slice(0, head)}…${text.slice(-tail)}`;
  }
  return out;
}

/**
 * A new canvas: `plot` (already drawn at `scale`) with a caption strip under it.
 * `lines` are up to CAPTION_LINES strings; the first is set in bold.
 */
export function withCaption(plot, lines, scale = PNG_SCALE) {
  const strip = captionHeight(scale);
  const out = document.createElement('canvas');
  out.width = plot.width;
  out.height = plot.height + strip;
  const ctx = out.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, out.width, out.height);
  ctx.drawImage(plot, 0, 0);
  ctx.strokeStyle = '#d9dee6';
  ctx.lineWidth = scale;
  ctx.beginPath();
  ctx.moveTo(0, plot.height + scale / 2);
  ctx.lineTo(out.width, plot.height + scale / 2);
  ctx.stroke();
  const family = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif";
  const pad = CAPTION_PAD_PX * scale;
  const maxWidth = out.width - 2 * pad;
  ctx.textBaseline = 'middle';
  lines.slice(0, CAPTION_LINES).forEach((text, i) => {
    // Smaller type before anything is cut (down to 9.5 px), then a cut in the middle.
    let size = 12.5;
    do {
      ctx.font = `${i === 0 ? 600 : 400} ${size * scale}px ${family}`;
      size -= 0.5;
    } while (size >= 9.5 && ctx.measureText(text).width > maxWidth);
    ctx.fillStyle = i === 0 ? '#1b2330' : '#3d4756';
    const y = plot.height + pad + (i + 0.5) * CAPTION_LINE_PX * scale;
    ctx.fillText(fitText(ctx, text, maxWidth), pad, y);
  });
  return out;
}
