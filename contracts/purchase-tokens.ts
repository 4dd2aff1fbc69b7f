// How many purchase tokens one query may carry in `ruleParams.tokens`. instant.perms.ts refuses
// (hides everything from) a longer list before evaluating anything else, since each evaluation
// walks the list; the SPA prunes tokens that can never unlock anything and splits its queries
// when a buyer still holds more; /api/wallpapers/download takes at most this many.
export const MAX_RULE_TOKENS = 50;
