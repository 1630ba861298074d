import './lib/styles.css';
import { bootPage } from './lib/page';
import { h, render } from './lib/dom';

void bootPage(async (_session, me, root) => {
  render(root, h('h1', {}, 'My purchases'), h('p', { class: 'muted' }, `Signed in as ${me.displayName}`));
});
