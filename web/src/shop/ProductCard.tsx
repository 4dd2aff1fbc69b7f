import type { ReactNode } from 'react';
import { formatPrice, type Product } from '../../../catalog/products.ts';

/** One product as a buyer reads it: what it is, what it costs, and the ways to buy it. */
export function ProductCard({ product, children }: { product: Product; children: ReactNode }) {
  return (
    <article className="product card" data-testid={`product-${product.id}`}>
      <header className="product-head">
        <h3>{product.title}</h3>
        <span className="price">{formatPrice(product)}</span>
      </header>
      <p className="muted">{product.description}</p>
      <div className="product-actions">{children}</div>
    </article>
  );
}
