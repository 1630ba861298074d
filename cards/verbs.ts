/**
 * Every card action verb, in one map (DESIGN §5.4). Action data carries ids only; the handler for a
 * verb re-reads state and re-checks the caller on the server.
 */
export const VERBS = {
  refresh: 'card.refresh',
  catalog: 'catalog.show',
  buyForm: 'buy.form',
  buy: 'buy.submit',
  /** Opens the checkout dialog (task/fetch in Teams; a link to the page where dialogs aren't supported). */
  checkoutOpen: 'checkout.open',
  trial: 'trial.submit',
  mine: 'mine.show',
  subscription: 'subscription.show',
  addLicenses: 'licenses.add',
  removeLicenses: 'licenses.remove',
  assign: 'licenses.assign',
  unassign: 'licenses.unassign',
  recurring: 'recurring.set',
  paymentMethod: 'payment.update',
  /** The new-card form on its own card. */
  paymentMethodForm: 'payment.form',
  cancelConfirm: 'cancel.confirm',
  cancel: 'cancel.submit',
  cancelLater: 'cancel.later',
  bills: 'bills.show',
  payForm: 'bill.payForm',
  payBill: 'bill.pay',
  purchases: 'purchases.page',
  purchase: 'purchase.show',
  acknowledge: 'purchase.ack',
  disableProduct: 'product.disable',
  takeOverConfirm: 'takeover.confirm',
  takeOver: 'takeover.submit',
  /** From the take-over card: add the central licenses that moving the users needs (agreement, no card). */
  takeOverAddCentral: 'takeover.addCentral',
  /** From the take-over card: buy a central subscription big enough to move the users to. */
  takeOverBuyCentral: 'takeover.buyCentral',
  centralizeConfirm: 'centralize.confirm',
  centralize: 'centralize.submit',
  policies: 'policies.show',
  setPolicy: 'policy.set',
  setAllPolicies: 'policy.setAll',
  approvals: 'approvals.show',
  approve: 'approval.approve',
  reject: 'approval.reject',
  audit: 'audit.page',
  productLicenses: 'licenses.product',
  roles: 'roles.show',
  grantRole: 'role.grant',
  revokeRole: 'role.revoke',
  /** Runs a text command from a button (suggestions, "did you mean"): re-parsed and re-checked like typed text. */
  runCommand: 'command.run',
  /** A short-lived signed CSV link for one product's (or every) licensed users. */
  exportLink: 'export.link',
} as const;

export type VerbKey = keyof typeof VERBS;
export type Verb = (typeof VERBS)[VerbKey];
export const ALL_VERBS: ReadonlySet<string> = new Set(Object.values(VERBS));
export const isVerb = (v: unknown): v is Verb => typeof v === 'string' && ALL_VERBS.has(v);

/** What a card's typeahead (Input.ChoiceSet with `Data.Query`) searches, answered by the bot's `application/search` invoke. */
export const DATASETS = { people: 'people' } as const;
export type Dataset = (typeof DATASETS)[keyof typeof DATASETS];

/** What a card shows, so a refresh can re-render it from current state. */
export const VIEWS = ['subscription', 'purchase', 'approval', 'policies', 'purchases', 'mine', 'bills', 'catalog', 'buyForm'] as const;
export type View = (typeof VIEWS)[number];
