import './lib/styles.css';
import './admin/admin.css';
import { bootPage } from './lib/page';
import { drawAdmin } from './admin/app';

void bootPage(drawAdmin);
