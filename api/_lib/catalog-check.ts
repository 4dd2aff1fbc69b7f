// Imported (through http.ts) by every function: a function whose catalog is wrong fails at cold
// start, naming the problem, instead of at the first checkout that meets it.
import { validateCatalog } from '../../catalog/product-schema.ts';
import { PRODUCTS } from '../../catalog/products.ts';

validateCatalog(PRODUCTS);
