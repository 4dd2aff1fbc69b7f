import type { InstaQLEntity } from '@instantdb/react';
import { useEffect, useState } from 'react';
import type { AppSchema } from '../../../instant.schema.ts';
import { useRedirect } from '../use-redirect.ts';
import { wallpaperUrl } from '../api-client.ts';

/** A wallpaper as the shop's query shows it: `fullResUrl` only where a paid token unlocks it (instant.perms.ts). */
export type WallpaperView = Omit<InstaQLEntity<AppSchema, 'wallpapers'>, 'fullResUrl' | 'order'> & {
  fullResUrl?: string;
};

/** A wallpaper: its public thumbnail, or, once unlocked, the full-resolution image and a download. */
export function WallpaperCard({ w, tokens }: { w: WallpaperView; tokens: string[] }) {
  const unlocked = Boolean(w.fullResUrl);
  const [src, setSrc] = useState<string | null>(null);
  const { error, setError, go } = useRedirect();

  // Re-sign when the set of tokens changes, not on every render.
  const tokensKey = tokens.join(',');
  useEffect(() => {
    if (!unlocked) return setSrc(null);
    let live = true;
    wallpaperUrl(tokensKey.split(','), w.id, 'inline').then(
      (u) => live && setSrc(u),
      (e) => live && setError((e as Error).message),
    );
    return () => {
      live = false;
    };
  }, [unlocked, w.id, tokensKey]);

  const download = () => go(() => wallpaperUrl(tokens, w.id, 'attachment'));

  return (
    <figure
      className={`wallpaper ${unlocked ? 'unlocked' : 'locked'}`}
      data-testid={`wallpaper-${w.slug}`}
      data-unlocked={unlocked}
    >
      <img src={src ?? w.thumbnailUrl} alt={w.name} width={320} height={180} />
      <figcaption>
        <strong>{w.name}</strong> <span className="muted">{w.description}</span>
        {unlocked ? (
          <button onClick={download} data-testid={`download-${w.slug}`}>
            Download
          </button>
        ) : (
          <span className="badge">Locked</span>
        )}
        {error ? <span className="error">{error}</span> : null}
      </figcaption>
    </figure>
  );
}
