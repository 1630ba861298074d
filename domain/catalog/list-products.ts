import type { Product } from '../model';
import type { Deps } from '../ports';

/** The products on sale (public catalog data, the same for everyone), for reading product names in what people type. */
export const listProducts = async (deps: Deps): Promise<Product[]> => deps.uow.read((repos) => repos.products.list());
