// Ids derived from Stripe's and the catalog's names (platform/derived-id.ts): every writer, on
// every machine, computes the same id for the same session or wallpaper.
import { derivedId } from '../platform/derived-id.ts';

export const purchaseIdFor = (sessionId: string) => derivedId('purchase', sessionId);
export const wallpaperIdFor = (slug: string) => derivedId('wallpaper', slug);
