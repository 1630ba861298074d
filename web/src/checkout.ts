import './lib/styles.css';
import './checkout/checkout.css';
import { bootPage } from './lib/page';
import { drawCheckout } from './checkout/checkout-page';

void bootPage(drawCheckout);
