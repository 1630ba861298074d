import * as AC from 'adaptivecards';
import 'adaptivecards/dist/adaptivecards.css';
import './adaptive-card-view.css';

/**
 * Shows an Adaptive Card in a page with the official renderer, looking like the page around it: the
 * host config is read from the page's own Fluent colour tokens (styles.css), so a card follows Teams'
 * light, dark and high-contrast themes instead of staying white.
 *
 *   const view = cardView(container, { onAction: (verb, data) => ... });
 *   view.show(cardJson);          // re-render with new content (e.g. the order total changed)
 */

export type CardJson = Record<string, unknown>;

export interface CardViewOptions {
  /** Action.Execute / Action.Submit pressed inside the card: its verb (if any) and data with the card's inputs. */
  onAction?: (verb: string | undefined, data: Record<string, unknown>) => void;
  /** Accessible name of the card's region, e.g. "Your order". */
  label?: string;
}

export interface CardView {
  show(card: CardJson): void;
  element: HTMLElement;
}

const token = (name: string, fallback: string): string => {
  const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return /^#[0-9a-f]{3,8}$/i.test(value) ? value : fallback;
};

/** Fluent tokens → the renderer's host config; read at each render so a theme change is picked up. */
const hostConfig = (): AC.HostConfig => {
  const text = token('--text', '#242424');
  const muted = token('--muted', '#616161');
  const surface = token('--surface', '#ffffff');
  const fg = (normal: string) => ({ default: normal, subtle: muted });
  const foregroundColors = {
    default: fg(text),
    dark: fg(text),
    light: fg(surface),
    accent: fg(token('--brand', '#5b5fc7')),
    good: fg(token('--success', '#237b4b')),
    warning: fg(token('--warning', '#835b00')),
    attention: fg(token('--danger', '#c4314b')),
  };
  const fontSizes = { small: 12, default: 14, medium: 14, large: 18, extraLarge: 24 };
  const fontWeights = { lighter: 200, default: 400, bolder: 600 };
  return new AC.HostConfig({
    supportsInteractivity: true,
    spacing: { small: 4, default: 8, medium: 16, large: 20, extraLarge: 24, padding: 16 },
    separator: { lineThickness: 1, lineColor: token('--border', '#e0e0e0') },
    fontTypes: {
      default: { fontFamily: 'inherit', fontSizes, fontWeights },
      monospace: { fontFamily: "Consolas, 'Courier New', monospace", fontSizes, fontWeights },
    },
    containerStyles: {
      default: { backgroundColor: surface, foregroundColors },
      emphasis: { backgroundColor: token('--bg', '#f5f5f5'), foregroundColors },
      good: { backgroundColor: surface, foregroundColors },
      attention: { backgroundColor: surface, foregroundColors },
      warning: { backgroundColor: surface, foregroundColors },
      accent: { backgroundColor: surface, foregroundColors },
    },
    actions: { maxActions: 6, buttonSpacing: 8, showCard: { actionMode: 'inline', inlineTopMargin: 12 }, actionsOrientation: 'horizontal', actionAlignment: 'left' },
    factSet: {
      title: { size: 'default', color: 'default', isSubtle: true, weight: 'default', wrap: true },
      value: { size: 'default', color: 'default', isSubtle: false, weight: 'bolder', wrap: true },
      spacing: 16,
    },
  });
};

const escapeHtml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * Teams renders a Markdown subset (bold, italic, links); the renderer leaves Markdown to its host.
 * Text is escaped first, so card text can never become markup.
 */
const processMarkdown = (text: string, result: AC.IMarkdownProcessingResult): void => {
  const inline = (s: string) =>
    escapeHtml(s)
      .replace(/\[([^\]]+)\]\((https:[^)\s]+)\)/g, '<a href="$2" target="_blank" rel="noopener noreferrer">$1</a>')
      .replace(/\*\*(.+?)\*\*/g, '<strong>$1</strong>')
      .replace(/(^|[\s(])_(.+?)_(?=[\s).,!?:;]|$)/g, '$1<em>$2</em>');
  result.outputHtml = text
    .split(/\n{2,}/)
    .map((p) => `<p>${inline(p).replace(/\n/g, '<br>')}</p>`)
    .join('');
  result.didProcess = true;
};

let markdownInstalled = false;

export const cardView = (container: HTMLElement, options: CardViewOptions = {}): CardView => {
  if (!markdownInstalled) {
    AC.AdaptiveCard.onProcessMarkdown = processMarkdown;
    markdownInstalled = true;
  }
  const element = document.createElement('div');
  element.className = 'adaptive-card';
  element.setAttribute('role', 'region');
  if (options.label) element.setAttribute('aria-label', options.label);
  container.append(element);
  let last: CardJson | null = null;
  // Teams can switch theme while the page is open (session.ts sets data-theme): redraw in the new colours.
  new MutationObserver(() => {
    if (last && element.isConnected) view.show(last);
  }).observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
  const view: CardView = {
    element,
    show(json) {
      last = json;
      const card = new AC.AdaptiveCard();
      card.hostConfig = hostConfig();
      card.onExecuteAction = (action) => {
        const data = action instanceof AC.SubmitActionBase ? ((action.data ?? {}) as Record<string, unknown>) : {};
        options.onAction?.(action instanceof AC.ExecuteAction ? action.verb : undefined, data);
      };
      card.parse(json, new AC.SerializationContext(AC.Versions.v1_5));
      const rendered = card.render();
      element.replaceChildren(...(rendered ? [rendered] : []));
      // The renderer makes the card's root a tab stop; a card without actions is just text, so it shouldn't be one.
      if (rendered && !(json.actions as unknown[] | undefined)?.length) rendered.removeAttribute('tabindex');
    },
  };
  return view;
};
