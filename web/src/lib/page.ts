import { ApiError, startSession, type Session } from './session';
import { h, render } from './dom';
import type { Me } from '../../contracts/me';

/**
 * Every page starts the same way: sign in (Teams SSO or the bot's link), ask the server who this is,
 * then draw. Failures become a readable message in the page, never a blank frame.
 */
export const bootPage = async (draw: (session: Session, me: Me, root: HTMLElement) => Promise<void>): Promise<void> => {
  const root = document.getElementById('app') as HTMLElement;
  try {
    const session = await startSession();
    const me = await session.api<Me>('/me');
    root.setAttribute('aria-busy', 'false');
    await draw(session, me, root);
  } catch (e) {
    root.setAttribute('aria-busy', 'false');
    render(root, errorPanel(e));
  }
};

export const errorPanel = (e: unknown): HTMLElement => {
  if (e instanceof ApiError && e.status === 401) {
    return h(
      'div',
      { class: 'card', role: 'alert' },
      h('h1', {}, 'Sign-in needed'),
      h('p', {}, e.message),
      h('p', { class: 'muted' }, 'Outside Teams, say "open my purchases" or "open admin" to the bot for a personal link.'),
    );
  }
  if (e instanceof ApiError) return h('div', { class: 'card', role: 'alert' }, h('h1', {}, 'This page can’t be shown'), h('p', {}, e.message));
  return h('div', { class: 'card', role: 'alert' }, h('h1', {}, 'Something went wrong'), h('p', {}, 'The page could not load. Close it and open it again.'));
};
