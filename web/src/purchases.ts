import './lib/styles.css';
import './purchases/purchases.css';
import { bootPage } from './lib/page';
import { drawPurchases } from './purchases/purchases-page';

void bootPage(drawPurchases);
