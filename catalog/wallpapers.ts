// The wallpapers the shop sells. Their images are made by `npm run make:wallpapers`
// (thumbnails in web/public, full resolution in private/, which is never served as a static file).
export type Wallpaper = {
  slug: string;
  name: string;
  description: string;
  order: number;
  /** Gradient stops, used to draw the image. */
  colors: [string, string, string];
};

/** One wallpaper; its name is its slug capitalised. */
const wallpaper = (slug: string, description: string, colors: Wallpaper['colors'], order: number): Wallpaper => ({
  slug,
  name: slug[0].toUpperCase() + slug.slice(1),
  description,
  order,
  colors,
});

export const WALLPAPERS: Wallpaper[] = [
  wallpaper('aurora', 'Green light over a polar night.', ['#03122b', '#0f7b6c', '#7cf2c4'], 1),
  wallpaper('dune', 'Warm sand at the end of the day.', ['#3b1c0b', '#c8742b', '#f7d59c'], 2),
  wallpaper('tide', 'Deep water turning to foam.', ['#031b38', '#1565c0', '#9bd4ff'], 3),
  wallpaper('ember', 'The last glow of a fire.', ['#1a0303', '#a3160d', '#ffb347'], 4),
  wallpaper('moss', 'Forest floor after rain.', ['#0b1a0b', '#3d6b2a', '#c5e1a5'], 5),
  wallpaper('dusk', 'Violet sky before the stars.', ['#12052b', '#6a1b9a', '#f48fb1'], 6),
  wallpaper('glacier', 'Blue ice in low sun.', ['#0d2a3a', '#4f9dbd', '#eef9ff'], 7),
  wallpaper('citrus', 'A bright morning in yellow and lime.', ['#2b3a03', '#b5c700', '#fff59d'], 8),
];

export const thumbnailPath = (slug: string) => `/thumbnails/${slug}.png`;
/** Where the full-resolution file lives in private/wallpapers (what `fullResUrl` holds). */
export const fullResFile = (slug: string) => `${slug}.png`;
