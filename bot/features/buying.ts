import { randomUUID } from 'node:crypto';
import type { ActorContext, Deps } from '../../domain/ports';
import type { BillingFrequency } from '../../domain/model';
import { DomainError, ErrorCodes } from '../../domain/shared/errors';
import { MAX_QUANTITY, parseId } from '../../domain/shared/validation';
import { listCatalog } from '../../domain/catalog/list-catalog';
import { buySubscription } from '../../domain/purchasing/buy-subscription';
import { startTrial } from '../../domain/purchasing/start-trial';
import { getMySubscription } from '../../domain/purchasing/get-my-subscription';
import { getMyPurchaseRequest } from '../../domain/approvals/get-my-purchase-request';
import { buyFormCard, catalogCard, checkoutLinkCard, subscriptionCard } from '../../cards/purchaser-cards';
import type { AdaptiveCard } from '../../cards/ui';
import { VERBS } from '../../cards/verbs';
import { count, plural, price } from '../../cards/format';
import { cardReply, command, done, refused, str, waiting, type BannerInput, type Feature, type FeatureServices } from './feature';
import { oneProduct, productWords } from './targets';
import { findProductWords, frequencyOf, quantityOf } from './words';
import { savedCardsIn, paymentToken } from './payment';
import { listMyPurchases } from '../../domain/purchasing/list-my-purchases';
import { isLive } from '../../domain/purchasing/purchase-support';
import { myPurchasesView, subscriptionView } from './subscriptions';
import { day } from '../../cards/format';
import type { CatalogItemView, CatalogResponse, CheckoutResponse } from '../../web/contracts/purchases';
import { catalogItemView, checkoutBody, scopedKey } from '../web/purchaser-views';
import { route } from '../web/web-api';

/** Catalog, buying and trials: the catalog card, the buy / trial card, the checkout dialog. */

export const CATALOG_PAGE_SIZE = 5;

const catalogView = async (deps: Deps, ctx: ActorContext, page = 1, banner?: BannerInput): Promise<AdaptiveCard> => {
  const items = await listCatalog(deps, ctx);
  const pages = Math.max(1, Math.ceil(items.length / CATALOG_PAGE_SIZE));
  return catalogCard({ items, page: Math.min(Math.max(1, Math.trunc(page) || 1), pages), pageSize: CATALOG_PAGE_SIZE, ...banner });
};

type Mine = Awaited<ReturnType<typeof listMyPurchases>>;

/** Their live subscriptions of a product, as the buy card and the checkout page mention them (with free licenses they could assign instead). */
const ownedOf = (mine: Mine, productId: string) =>
  mine
    .filter((m) => m.product.id === productId && isLive(m.subscription))
    .map((m) => ({ subscriptionId: m.subscription.id, quantity: m.subscription.quantity, assigned: m.assigned, canAssign: m.actions.assign.ok }));

const buyFormView = async (
  deps: Deps,
  ctx: ActorContext,
  productId: string,
  mode: 'buy' | 'trial',
  opts: { quantity?: number; billingFrequency?: BillingFrequency; formId?: string } & BannerInput = {},
): Promise<AdaptiveCard> => {
  const items = await listCatalog(deps, ctx);
  const item = items.find((i) => i.product.id === productId);
  if (!item) throw new DomainError(ErrorCodes.PRODUCT_UNKNOWN, "We don't sell that product here. Say **catalog** to see what's available.");
  // The form is offered only when the use case would accept it (the domain's own rules); it checks again on submit.
  const can = mode === 'buy' ? item.actions.buy : item.actions.trial;
  if (!can.ok) {
    // What they can do instead, offered as its form rather than as words to type: the trial when
    // buying isn't allowed, buying when there is no trial (or theirs was had).
    const other = mode === 'buy' ? 'trial' : 'buy';
    if ((other === 'trial' ? item.actions.trial : item.actions.buy).ok && !opts.banner) {
      const instead = other === 'trial' ? ' You can start a trial instead:' : '';
      return buyFormView(deps, ctx, productId, other, { ...opts, ...refused(`${can.reason}${instead}`) });
    }
    const tryTrial = mode === 'buy' && item.actions.trial.ok ? ` You can start a trial instead: **trial ${item.product.name}**.` : '';
    throw new DomainError(can.code, `${can.reason}${tryTrial}`, can.details);
  }
  const { formId, ...rest } = opts;
  const mine = await listMyPurchases(deps, ctx);
  // Buying (or trying) what they already have: the card says so, with its free licenses.
  return buyFormCard({ product: item.product, mode, savedCards: savedCardsIn(mine), owned: ownedOf(mine, productId), formId: formId ?? randomUUID(), ...rest });
};

/** The form, or — when it can no longer be used (the product was turned off, the trial taken) — the catalog saying why. */
const buyFormOrCatalog = async (deps: Deps, ctx: ActorContext, productId: string, mode: 'buy' | 'trial', opts: Parameters<typeof buyFormView>[4] = {}): Promise<AdaptiveCard> => {
  try {
    return await buyFormView(deps, ctx, productId, mode, opts);
  } catch (e) {
    if (!(e instanceof DomainError) || e.code === ErrorCodes.TENANT_UNKNOWN || e.code === ErrorCodes.USER_NOT_FOUND) throw e;
    return catalogView(deps, ctx, 1, refused(opts.banner ? `${opts.banner} ${e.message}` : e.message));
  }
};

interface BuyArgs {
  words: string;
}

const frequencyWord = (f: BillingFrequency | null): string => (f === 'Monthly' ? ' monthly' : f === 'Annual' ? ' yearly' : '');

export const buying: Feature = {
  name: 'buying',
  web: [
    route({
      method: 'get',
      path: '/catalog',
      run: async ({ deps, ctx }): Promise<CatalogResponse> => {
        const [items, mine] = await Promise.all([listCatalog(deps, ctx), listMyPurchases(deps, ctx)]);
        return { items: items.map((i) => catalogItemView(i, ownedOf(mine, i.product.id))) };
      },
    }),
    route({
      method: 'get',
      path: '/catalog/:productId',
      run: async ({ deps, ctx, params }): Promise<CatalogItemView> => {
        const item = (await listCatalog(deps, ctx)).find((i) => i.product.id === params.productId || i.product.legacyIds.includes(params.productId));
        if (!item) throw new DomainError(ErrorCodes.PRODUCT_UNKNOWN, "We don't sell that product here.");
        return catalogItemView(item, ownedOf(await listMyPurchases(deps, ctx), item.product.id));
      },
    }),
    route({
      method: 'post',
      path: '/checkout',
      body: checkoutBody,
      // The same use cases as the buy card's Buy / Start trial, with the token the provider issued to the page.
      run: async ({ deps, ctx, body }): Promise<CheckoutResponse> => {
        if (body.mode === 'buy') {
          const r = await buySubscription(deps, ctx, {
            productId: body.productId,
            quantity: body.quantity,
            billingFrequency: body.billingFrequency,
            cardToken: body.token,
            idempotencyKey: scopedKey(ctx, body.idempotencyKey),
          });
          if (r.status === 'pending') {
            return {
              status: 'pending',
              requestId: r.request.id,
              message: 'Your organization asks admins to approve purchases: your request is on its way, and nothing is charged until it is approved. You will hear back in chat.',
            };
          }
          const s = r.subscription;
          const paid = r.invoice ? ` for ${price(r.invoice.amount)}` : '';
          return {
            status: 'created',
            subscriptionId: s.id,
            message: `Done: you bought ${plural(s.quantity, 'license')}${paid}, charged to the ${s.card?.brand ?? 'card'} ending ${s.card?.last4 ?? ''}. Assign them from My purchases.`,
          };
        }
        const r = await startTrial(deps, ctx, { productId: body.productId, cardToken: body.token });
        if (r.status === 'pending') {
          return { status: 'pending', requestId: r.request.id, message: 'Your trial request is waiting for an admin’s approval. You will hear back in chat.' };
        }
        const s = r.subscription;
        return {
          status: 'created',
          subscriptionId: s.id,
          message: `Your trial has started: ${plural(s.quantity, 'license')} until ${day(s.expiresAt)}. Assign them from My purchases.`,
        };
      },
    }),
  ],
  commands: [
    command<object>({
      name: 'catalog',
      usage: 'catalog',
      example: 'catalog',
      scope: 'personal',
      keywords: ['catalog', 'products', 'shop'],
      parse: (text) => (/^(?:show\s+(?:me\s+)?)?(?:the\s+)?(catalog|catalogue|products|shop|store|buy|what can i buy\??)$/i.test(text) ? {} : null),
      run: (_a, { deps, ctx }) => cardReply(catalogView(deps, ctx)),
    }),
    command<BuyArgs>({
      name: 'buy',
      usage: 'buy <product> [licenses] [monthly|yearly]',
      example: 'buy Power BI Pro 5',
      scope: 'personal',
      personalData: true,
      keywords: ['buy', 'purchase', 'order'],
      parse: (text) => {
        const m = /^(?:i\s+(?:want|would like)\s+to\s+)?(?:buy|purchase|order|get me)\s+(.+)$/i.exec(text);
        return m ? { words: m[1] } : null;
      },
      canonical: (a, pc) => {
        const found = findProductWords(pc.products, a.words);
        const q = quantityOf(found.rest);
        return found.products.map((p) => buyCanonical(p.name, q.kind === 'one' ? q.value : null, frequencyOf(found.rest)));
      },
      run: async (a, { deps, ctx, pc }) => {
        // The product first, then the number and the billing frequency from what is left.
        const found = productWords(pc, a.words);
        const quantity = quantityOf(found.rest);
        if (quantity.kind === 'invalid') throw new DomainError(ErrorCodes.QUANTITY_TOO_LARGE, quantity.message);
        const n = quantity.kind === 'one' ? quantity.value : 1;
        const frequency = frequencyOf(found.rest);
        const product = oneProduct(found, `"${a.words.slice(0, 60)}" could be ${found.products.length} products. Which one do you want ${plural(n, 'license')} of?`, (p) => ({
          title: 'Buy',
          verb: VERBS.buyForm,
          data: { productId: p.id, mode: 'buy', quantity: n, ...(frequency ? { billingFrequency: frequency } : {}) },
        }));
        return cardReply(buyFormView(deps, ctx, product.id, 'buy', { quantity: n, ...(frequency ? { billingFrequency: frequency } : {}) }));
      },
    }),
    command<BuyArgs>({
      name: 'trial',
      usage: 'trial <product>',
      example: 'trial Visio Plan 1',
      scope: 'personal',
      personalData: true,
      keywords: ['trial', 'try'],
      parse: (text) => {
        const m = /^(?:trial|try|start\s+(?:a\s+)?(?:free\s+)?trial(?:\s+(?:of|for))?)\s+(.+)$/i.exec(text);
        return m ? { words: m[1] } : null;
      },
      canonical: (a, pc) => findProductWords(pc.products, a.words).products.map((p) => `trial ${p.name}`),
      run: async (a, { deps, ctx, pc }) => {
        const found = productWords(pc, a.words);
        const product = oneProduct(found, `"${a.words.slice(0, 60)}" could be ${found.products.length} products. Which one do you want to try?`, (p) => ({
          title: 'Try it',
          verb: VERBS.buyForm,
          data: { productId: p.id, mode: 'trial' },
        }));
        return cardReply(buyFormView(deps, ctx, product.id, 'trial'));
      },
    }),
  ],
  verbs: {
    [VERBS.catalog]: { run: ({ deps, ctx, data }) => catalogView(deps, ctx, Number(data.page) || 1) },
    [VERBS.buyForm]: {
      run: ({ deps, ctx, data }) => {
        const q = Number(data.quantity);
        const quantity = Number.isInteger(q) && q >= 1 && q <= MAX_QUANTITY ? q : undefined;
        const frequency = data.billingFrequency === 'Monthly' || data.billingFrequency === 'Annual' ? data.billingFrequency : undefined;
        return buyFormView(deps, ctx, str(data.productId), data.mode === 'trial' ? 'trial' : 'buy', {
          ...(quantity ? { quantity } : {}),
          ...(frequency ? { billingFrequency: frequency } : {}),
        });
      },
    },
    [VERBS.buy]: {
      run: async (a) => {
        const result = await buySubscription(a.deps, a.ctx, {
          productId: a.data.productId,
          quantity: a.data.quantity,
          billingFrequency: a.data.billingFrequency,
          cardToken: await paymentToken(a, true),
          idempotencyKey: a.data.formId,
        });
        if (result.status === 'pending')
          return myPurchasesView(
            a.deps,
            a.ctx,
            waiting('Your organization asks admins to approve purchases: your request is on its way, and you will hear back here. Nothing is charged until then.'),
          );
        const s = result.subscription;
        return subscriptionView(
          a.deps,
          a.ctx,
          s.id,
          done(
            `Done: you bought ${plural(s.quantity, 'license')}${result.invoice ? ` for ${price(result.invoice.amount)}` : ''}. Assign ${s.quantity === 1 ? 'it' : 'them'} below.`,
          ),
        );
      },
      recover: (a, banner) => buyFormOrCatalog(a.deps, a.ctx, str(a.data.productId), 'buy', { ...banner, quantity: Number(a.data.quantity) || 1 }),
    },
    [VERBS.checkoutOpen]: {
      // Reached only where Teams dialogs aren't (the dialog button's Submit arrives as a message): the checkout page as a link instead.
      run: async ({ deps, ctx, data, services }) => {
        const mode = data.mode === 'trial' ? 'trial' : 'buy';
        const item = (await listCatalog(deps, ctx)).find((i) => i.product.id === str(data.productId));
        if (!item) throw new DomainError(ErrorCodes.PRODUCT_UNKNOWN, "We don't sell that product here. Say **catalog** to see what's available.");
        const link = services.pageLink(ctx, 'checkout', { productId: item.product.id, mode });
        return checkoutLinkCard({ product: item.product, mode, ...link });
      },
    },
    [VERBS.trial]: {
      run: async (a) => {
        const result = await startTrial(a.deps, a.ctx, { productId: a.data.productId, cardToken: await paymentToken(a, false) });
        if (result.status === 'pending') return myPurchasesView(a.deps, a.ctx, waiting('Your trial request is waiting for an admin’s approval; you will hear back here.'));
        return subscriptionView(a.deps, a.ctx, result.subscription.id, done('Your trial has started. Assign its licenses below.'));
      },
      recover: (a, banner) => buyFormOrCatalog(a.deps, a.ctx, str(a.data.productId), 'trial', banner),
    },
  },
  views: {
    catalog: (deps, ctx, data) => catalogView(deps, ctx, Number(data.page) || 1),
    buyForm: (deps, ctx, data) => {
      const q = Number(data.quantity);
      const formId = typeof data.formId === 'string' && /^[A-Za-z0-9-]{8,64}$/.test(data.formId) ? data.formId : undefined;
      return buyFormOrCatalog(deps, ctx, str(data.productId), data.mode === 'trial' ? 'trial' : 'buy', {
        ...(Number.isInteger(q) && q >= 1 && q <= MAX_QUANTITY ? { quantity: q } : {}),
        ...(formId ? { formId } : {}),
      });
    },
  },
};

/** For suggestions: "buy Power BI Pro 2" written back in the catalog's words. */
export const buyCanonical = (productName: string, quantity: number | null, frequency: BillingFrequency | null): string =>
  `buy ${productName}${quantity && quantity > 1 ? ` ${quantity}` : ''}${frequencyWord(frequency)}`;

// ---------------------------------------------------------------------------------------------- checkout dialog

export const dialogMessage = (value: string) => ({ task: { type: 'message', value } });

const CHECKOUT_DIALOG_SIZE = { height: 760, width: 600 };

/**
 * task/fetch answers with the checkout page, signed in as the caller by a link in its fragment (the
 * dialog may not have SSO). Only well-formed values go into the URL; the page asks the server what
 * this product is and whether the caller may buy it.
 */
export const checkoutDialog = (ctx: ActorContext, data: Record<string, unknown>, services: FeatureServices) => {
  if (data.verb !== VERBS.checkoutOpen) return dialogMessage("That button doesn't open anything any more. Say **catalog** to start again.");
  const productId = parseId(data.productId, 'product');
  const mode = data.mode === 'trial' ? 'trial' : 'buy';
  const quantity = Number(data.quantity);
  const params: Record<string, string> = { productId, mode, ...(Number.isInteger(quantity) && quantity >= 1 && quantity <= MAX_QUANTITY ? { quantity: String(quantity) } : {}) };
  const { url } = services.pageLink(ctx, 'checkout', params);
  return { task: { type: 'continue', value: { title: mode === 'buy' ? 'Secure checkout' : 'Start a trial', url, fallbackUrl: url, ...CHECKOUT_DIALOG_SIZE } } };
};

/**
 * task/submit carries only the id the page got back: it is re-read from stored state as the
 * caller's own (anyone else's is refused) before anything is posted in chat.
 */
export const checkoutResult = async (deps: Deps, ctx: ActorContext, data: Record<string, unknown>, post: (card: AdaptiveCard | string) => Promise<void>): Promise<unknown> => {
  if (data.subscriptionId !== undefined) {
    const mine = await getMySubscription(deps, ctx, { subscriptionId: data.subscriptionId });
    const s = mine.subscription;
    const banner = s.isTrial
      ? 'Your trial has started. Assign its licenses below.'
      : `Done: you bought ${plural(s.quantity, 'license')}. Assign ${s.quantity === 1 ? 'it' : 'them'} below.`;
    await post(
      subscriptionCard({
        subscription: s,
        product: mine.product,
        assignees: mine.assignees.map((a) => ({ id: a.id, name: a.displayName })),
        formId: randomUUID(),
        actions: mine.actions,
        banner,
      }),
    );
    return dialogMessage(
      `${s.isTrial ? `Your trial of ${mine.product.name} has started` : `You bought ${plural(s.quantity, 'license')} of ${mine.product.name}`}. The details are in the chat.`,
    );
  }
  if (data.requestId !== undefined) {
    const { request, product } = await getMyPurchaseRequest(deps, ctx, { requestId: data.requestId });
    const text =
      request.status === 'Pending'
        ? `Your request for ${request.kind === 'Trial' ? `a trial of ${product.name}` : `${count(request.quantity, 'license')} of ${product.name}`} is waiting for an admin's approval. You will hear back here; nothing is charged until then.`
        : `Your request for ${product.name} was ${request.status.toLowerCase()}.`;
    await post(text);
    return dialogMessage(text);
  }
  // Closed without a result (Cancel): nothing to say.
  return undefined;
};
