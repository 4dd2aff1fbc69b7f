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

export const WALLPAPERS: Wallpaper[] = [
  {
    slug: 'aurora',
    name: 'Aurora',
    description: 'Green light over a polar night.',
    order: 1,
    colors: ['#03122b', '#0f7b6c', '#7cf2c4'],
  },
  {
    slug: 'dune',
    name: 'Dune',
    description: 'Warm sand at the end of the day.',
    order: 2,
    colors: ['#3b1c0b', '#c8742b', '#f7d59c'],
  },
  {
    slug: 'tide',
    name: 'Tide',
    description: 'Deep water turning to foam.',
    order: 3,
    colors: ['#031b38', '#1565c0', '#9bd4ff'],
  },
  {
    slug: 'ember',
    name: 'Ember',
    description: 'The last glow of a fire.',
    order: 4,
    colors: ['#1a0303', '#a3160d', '#ffb347'],
  },
  {
    slug: 'moss',
    name: 'Moss',
    description: 'Forest floor after rain.',
    order: 5,
    colors: ['#0b1a0b', '#3d6b2a', '#c5e1a5'],
  },
  {
    slug: 'dusk',
    name: 'Dusk',
    description: 'Violet sky before the stars.',
    order: 6,
    colors: ['#12052b', '#6a1b9a', '#f48fb1'],
  },
  {
    slug: 'glacier',
    name: 'Glacier',
    description: 'Blue ice in low sun.',
    order: 7,
    colors: ['#0d2a3a', '#4f9dbd', '#eef9ff'],
  },
  {
    slug: 'citrus',
    name: 'Citrus',
    description: 'A bright morning in yellow and lime.',
    order: 8,
    colors: ['#2b3a03', '#b5c700', '#fff59d'],
  },
];

export const thumbnailPath = (slug: string) => `/thumbnails/${slug}.png`;
/** Where the full-resolution file lives in private/wallpapers (what `fullResUrl` holds). */
export const fullResFile = (slug: string) => `${slug}.png`;
