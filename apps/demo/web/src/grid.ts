// The tile grid uses the whole call area: for n tiles it picks the column
// count that makes tiles (of a fixed aspect ratio) largest, and sets it as
// CSS variables. It follows the window's size and the number of tiles.

const ASPECT = 4 / 3;
const GAP = 8;

/** Columns and tile width (px) that make `n` tiles of `ASPECT` largest in a w × h box. */
export function bestLayout(n: number, w: number, h: number): { cols: number; width: number } {
  let best = { cols: 1, width: 0 };
  for (let cols = 1; cols <= Math.max(1, n); cols++) {
    const rows = Math.ceil(n / cols);
    const width = Math.min((w - GAP * (cols - 1)) / cols, ((h - GAP * (rows - 1)) / rows) * ASPECT);
    if (width > best.width) best = { cols, width };
  }
  return { cols: best.cols, width: Math.max(80, Math.floor(best.width)) };
}

/** Keeps `grid` laid out as its tiles come and go and as it is resized. */
export function autoLayout(grid: HTMLElement): void {
  const layout = () => {
    const n = grid.children.length;
    if (n === 0) return;
    const { cols, width } = bestLayout(n, grid.clientWidth, grid.clientHeight);
    grid.style.setProperty('--cols', String(cols));
    grid.style.setProperty('--tile-width', `${width}px`);
    grid.dataset.cols = String(cols);
  };
  new ResizeObserver(layout).observe(grid);
  new MutationObserver(layout).observe(grid, { childList: true });
}
