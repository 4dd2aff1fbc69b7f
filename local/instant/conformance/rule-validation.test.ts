// Rules are validated when loaded, with the errors Instant's server gives
// (server/test/instant/model/rule_test.clj; instant.model.rule/validation-errors).
import { describe, expect, it } from 'vitest';
import { i, id } from '@instantdb/core';
import { InstantLocalError } from '../errors.ts';
import { inlinedRule, ruleValidationErrors } from '../rule-validation.ts';
import { startInstantLocal } from '../server.ts';
import { conformanceServer, from, throwawayApp } from './harness.ts';

const F = 'rule_test.clj';
const at = (...path: string[]) => path;

describe('validation errors (upstream cases)', () => {
  it(from(F, 'allow-booleans', 'boolean rules are valid'), () => {
    expect(ruleValidationErrors({ myetype: { allow: { view: true } } })).toEqual([]);
  });

  it(from(F, 'binds-works-with-kv-format', 'binds as an object are valid'), () => {
    expect(ruleValidationErrors({ myetype: { bind: { test: 'true' }, allow: { view: 'test' } } })).toEqual([]);
  });

  it(from(F, 'validation-errors-passes', 'binds that use other binds are valid'), () => {
    expect(
      ruleValidationErrors({
        myetype: { bind: ['parent', 'true', 'child', 'parent || true'], allow: { view: 'parent' } },
      }),
    ).toEqual([]);
  });

  it(from(F, 'does-not-allow-cyclic-dependencies', 'a bind cycle is refused, named as upstream names it'), () => {
    expect(ruleValidationErrors({ myetype: { bind: ['a', 'b', 'b', 'a'], allow: { view: 'a' } } })).toEqual([
      { message: 'The binds have a cyclic dependency a -> b -> a', in: at('myetype', 'allow', 'view') },
    ]);
    const five = ['a', 'b', 'b', 'c', 'c', 'd', 'd', 'e', 'e', 'a'];
    expect(ruleValidationErrors({ myetype: { bind: five, allow: { view: 'e' } } })).toEqual([
      { message: 'The binds have a cyclic dependency d -> e -> a -> b -> c -> d', in: at('myetype', 'allow', 'view') },
    ]);
  });

  it(from(F, 'check-rate-limit-config-exists', 'rateLimit names must be defined in $rateLimits'), () => {
    const view = "rateLimit.myLimit.limit('a') && rateLimit['myLimit'].limit('b')";
    expect(
      ruleValidationErrors({ $rateLimits: { myLimit: { limits: [{ capacity: 2 }] } }, myetype: { allow: { view } } }),
    ).toEqual([]);
    const bad = "rateLimit.myLimit.limit('a') && rateLimit['myLimit2'].limit('b')";
    const hint = 'is not a valid rate limit config. It should be defined in the `$rateLimits` key.';
    expect(
      ruleValidationErrors({
        $rateLimits: { someOtherLimit: { limits: [{ capacity: 2 }] } },
        myetype: { allow: { view: bad } },
      }),
    ).toEqual([
      { message: `\`myLimit\` ${hint}`, in: at('myetype', 'allow', 'view') },
      { message: `\`myLimit2\` ${hint}`, in: at('myetype', 'allow', 'view') },
    ]);
  });

  it(from(F, 'rate-limit-validation-rejects-non-object', '$rateLimits must be an object'), () => {
    for (const bad of ['bad', 123]) {
      expect(ruleValidationErrors({ $rateLimits: bad })).toEqual([
        { message: '$rateLimits must be an object', in: ['$rateLimits'] },
      ]);
    }
    expect(ruleValidationErrors({ $rateLimits: null })).toEqual([]);
    expect(ruleValidationErrors({})).toEqual([]);
  });

  it(from(F, 'can-set-create-view-update-rules-for-users', '$users takes view/create/update rules, not delete'), () => {
    for (const action of ['create', 'view', 'update'])
      expect(ruleValidationErrors({ $users: { allow: { [action]: 'true' } } })).toEqual([]);
    expect(ruleValidationErrors({ $users: { allow: { delete: 'false' } } })).toEqual([]);
    expect(ruleValidationErrors({ $users: { allow: { delete: 'true' } } })).toEqual([
      {
        message:
          'The $users namespace doesn\'t support permissions for delete. Set `$users.allow.delete` to `"false"`.',
        in: at('$users', 'allow', 'delete'),
      },
    ]);
  });

  it(from(F, 'cant-write-rules-for-system-attrs', 'reserved $ namespaces take no rules'), () => {
    const message = 'The $codes namespace is a reserved internal namespace that does not yet support rules.';
    expect(ruleValidationErrors({ $codes: { allow: { update: 'true' } } })).toEqual(
      ['view', 'create', 'update', 'delete'].map((a) => ({ message, in: at('$codes', 'allow', a) })),
    );
  });

  it(from(F, 'invalid-syntax-fails', 'a type error is refused with its path'), () => {
    expect(ruleValidationErrors({ myetype: { allow: { view: '!10' } } })).toEqual([
      {
        message: "found no matching overload for '!_' applied to '(int)' (candidates: (bool))",
        in: at('myetype', 'allow', 'view'),
      },
    ]);
  });

  it(from(F, 'invalid-auth-ref-fails', 'auth.ref paths must start with $user.'), () => {
    expect(ruleValidationErrors({ myetype: { allow: { view: "1 in auth.ref('$users.id')" } } })).toEqual([
      { message: 'auth.ref arg must start with `$user.`', in: at('myetype', 'allow', 'view') },
    ]);
    expect(ruleValidationErrors({ myetype: { allow: { view: "auth.id in auth.ref('$user.teams.id')" } } })).toEqual([]);
  });

  it(from(F, 'duplicate-bind-fails', 'a bind name given twice is refused'), () => {
    expect(
      ruleValidationErrors({
        myetype: { bind: ['duplicate', 'true', 'duplicate', 'false'], allow: { view: 'duplicate' } },
      }),
    ).toEqual([
      { message: 'bind should only contain a given variable name once', in: at('myetype', 'bind', 'duplicate') },
    ]);
  });

  it(from(F, 'uneven-binds-fail', 'an uneven bind list is refused on the bind and on each rule'), () => {
    const both = [
      { message: 'bind should have an even number of elements', in: at('myetype', 'bind') },
      { message: 'bind should have an even number of elements', in: at('myetype', 'allow', 'view') },
    ];
    expect(ruleValidationErrors({ myetype: { bind: ['duplicate'], allow: { view: 'duplicate' } } })).toEqual(both);
    expect(
      ruleValidationErrors({
        myetype: { bind: ['duplicate'], allow: { view: 'true' } },
        'new-etype': { allow: { view: 'true' } },
      }),
    ).toEqual(both);
  });

  it(from(F, 'fields-cannot-set-id', 'a field rule for id is refused'), () => {
    expect(ruleValidationErrors({ myetype: { fields: { id: '1 + 1' } } })).toEqual([
      {
        in: at('myetype', 'fields'),
        message: 'You cannot set field rules for `id`. Use myetype -> allow -> view instead',
      },
    ]);
  });

  it(from(F, 'field-programs-validate', 'field rules are type-checked'), () => {
    expect(ruleValidationErrors({ myetype: { fields: { email: '!10' } } })).toEqual([
      {
        message: "found no matching overload for '!_' applied to '(int)' (candidates: (bool))",
        in: at('myetype', 'fields', 'email'),
      },
    ]);
    expect(ruleValidationErrors({ myetype: { bind: ['test', '1 + 1'], fields: { email: 'test' } } })).toEqual([]);
  });
});

describe('binds inlined as upstream compiles them (the code validation type-checks)', () => {
  it(from(F, 'allow-booleans', 'a boolean rule is the code "true"'), () => {
    expect(inlinedRule({ myetype: { allow: { view: true } } }, 'myetype', true)).toBe('true');
  });

  it(from(F, 'binds-works', 'used binds wrap the rule'), () => {
    expect(inlinedRule({ myetype: { bind: ['test', 'true'] } }, 'myetype', 'test')).toBe('cel.bind(test, true, test)');
    expect(inlinedRule({ myetype: { bind: ['test', 'true', 'test2', 'false'] } }, 'myetype', 'test && test2')).toBe(
      'cel.bind(test2, false, cel.bind(test, true, test && test2))',
    );
  });

  it(from(F, 'binds-works-with-kv-format', 'binds given as an object'), () => {
    expect(inlinedRule({ myetype: { bind: { test: 'true' } } }, 'myetype', 'test')).toBe('cel.bind(test, true, test)');
  });

  it(from(F, 'binds-can-reference-other-binds', 'a bind used by a bind is bound outside it'), () => {
    expect(inlinedRule({ myetype: { bind: ['parent', 'true', 'child', 'parent || true'] } }, 'myetype', 'child')).toBe(
      'cel.bind(parent, true, cel.bind(child, parent || true, child))',
    );
  });

  it(from(F, 'ignores-unused-binds', 'unused binds are left out'), () => {
    const rules = { myetype: { bind: ['parent', 'true', 'child', 'parent || true'] } };
    expect(inlinedRule(rules, 'myetype', 'true')).toBe('true');
    expect(inlinedRule(rules, 'myetype', 'parent')).toBe('cel.bind(parent, true, parent)');
  });

  it(from(F, 'field-programs-compile', 'a field rule without binds is its own code'), () => {
    expect(inlinedRule({ myetype: { fields: { email: '1 + 1' } } }, 'myetype', '1 + 1')).toBe('1 + 1');
    expect(ruleValidationErrors({ myetype: { fields: { email: '1 + 1' } } })).toEqual([]);
  });

  it(from(F, 'field-programs-can-use-bind', 'field rules use binds too'), () => {
    expect(inlinedRule({ myetype: { bind: ['test', '1 + 1'] } }, 'myetype', 'test')).toBe(
      'cel.bind(test, 1 + 1, test)',
    );
  });
});

describe('validation errors (upstream compiler behaviour)', () => {
  it(from('cel.clj', 'action->compiler', 'newData exists in create/update rules only'), () => {
    const rules = {
      docs: {
        allow: {
          view: 'newData.x == 1',
          create: 'newData.x == 1',
          update: 'newData.x == data.x',
          delete: 'newData == null',
        },
      },
    };
    const undeclared = "undeclared reference to 'newData' (in container '')";
    expect(ruleValidationErrors(rules)).toEqual([
      { message: undeclared, in: at('docs', 'allow', 'view') },
      { message: undeclared, in: at('docs', 'allow', 'delete') },
    ]);
    expect(ruleValidationErrors({ docs: { fields: { secret: 'newData.x == 1' } } })).toEqual([
      { message: undeclared, in: at('docs', 'fields', 'secret') },
    ]);
  });

  it(from('rule.clj', 'expr-validation-errors', 'a syntax error is refused with its path'), () => {
    const errors = ruleValidationErrors({ docs: { allow: { view: 'data.x ==' } } });
    expect(errors).toHaveLength(1);
    expect(errors[0].in).toEqual(at('docs', 'allow', 'view'));
    expect(errors[0].message).toMatch(/^Syntax error: /);
  });

  it(from('rule.clj', 'with-binds', '$default binds apply to every namespace, and an unknown name is refused'), () => {
    expect(
      ruleValidationErrors({
        $default: { bind: ['signedIn', 'auth.id != null'] },
        docs: { allow: { view: 'signedIn' } },
      }),
    ).toEqual([]);
    expect(ruleValidationErrors({ docs: { allow: { view: 'signedIn' } } })).toEqual([
      { message: "undeclared reference to 'signedIn' (in container '')", in: at('docs', 'allow', 'view') },
    ]);
  });

  it(from('cel.clj', 'custom-fns', "Instant's CEL functions and the usual macros are accepted"), () => {
    const valid = [
      "auth.id in data.ref('owner.id')",
      "'admin' in auth.ref('$user.role.type')",
      'request.time.getTime() > 0',
      "timestamp(data.createdAt) > request.time - duration('1h')",
      "data.tags.exists(t, t == 'a') && data.tags.all(t, t.size() < 10)",
      "request.origin == 'https://example.com' && 'title' in request.modifiedFields",
      'auth.id != null ? data.n % 2 == 0 : false',
    ];
    for (const view of valid) expect(ruleValidationErrors({ docs: { allow: { view } } }), view).toEqual([]);
  });

  it(from('rule.clj', 'validation-errors', "the shop's own rules are valid"), async () => {
    const { default: rules } = await import('../../../instant.perms.ts');
    expect(ruleValidationErrors(rules)).toEqual([]);
  });
});

describe('apps refuse invalid rules', () => {
  const schema = i.schema({ entities: { docs: i.entity({ title: i.string() }) } });

  it(
    from(
      'ephemeral_app.clj',
      'http-post-handler',
      'an ephemeral app with invalid rules is refused with validation-failed',
    ),
    async () => {
      const s = await conformanceServer();
      const code = { docs: { allow: { view: 'newData.title == "x"' } } };
      const res = await fetch(`${s.url}/dash/apps/ephemeral`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ title: 'bad rules', rules: { code } }),
      });
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({
        type: 'validation-failed',
        message: "Validation failed for rule: undeclared reference to 'newData' (in container '')",
        hint: {
          'data-type': 'rule',
          input: code,
          errors: [{ message: "undeclared reference to 'newData' (in container '')", in: ['docs', 'allow', 'view'] }],
        },
      });
    },
  );

  it(
    from('rule.clj', 'validation-errors', 'reload with invalid rules throws and keeps the previous rules'),
    async () => {
      const server = await startInstantLocal({
        memory: true,
        schema: JSON.parse(JSON.stringify(schema)),
        rules: { docs: { allow: { view: 'false' } } },
      });
      try {
        const { adminFor } = await import('../../../tests/support/instant-clients.ts');
        const admin = adminFor(server, schema);
        await admin.transact(admin.tx.docs[id()].update({ title: 'a' }));
        let thrown: unknown;
        try {
          server.reload(JSON.parse(JSON.stringify(schema)), {
            docs: { allow: { view: 'true', delete: 'newData == null' } },
          });
        } catch (e) {
          thrown = e;
        }
        expect(thrown).toBeInstanceOf(InstantLocalError);
        expect((thrown as InstantLocalError).toJSON()).toMatchObject({
          type: 'validation-failed',
          hint: { 'data-type': 'rule', errors: [{ in: ['docs', 'allow', 'delete'] }] },
        });
        // The previous rule (view: false) still holds for a stranger.
        expect((await admin.asUser({ guest: true }).query({ docs: {} })).docs).toHaveLength(0);
        server.reload(JSON.parse(JSON.stringify(schema)), { docs: { allow: { view: 'true' } } });
        expect((await admin.asUser({ guest: true }).query({ docs: {} })).docs).toHaveLength(1);
      } finally {
        await server.close();
      }
    },
  );

  it(from('ephemeral_app.clj', 'http-post-handler', 'valid rules still make an app'), async () => {
    const app = await throwawayApp({ schema, rules: { docs: { bind: ['open', 'true'], allow: { view: 'open' } } } });
    await app.admin.transact(app.admin.tx.docs[id()].update({ title: 'x' }));
    expect((await app.admin.asUser({ guest: true }).query({ docs: {} })).docs).toHaveLength(1);
  });

  it(from('rule.clj', 'validation-errors', 'a server started with invalid rules refuses to start'), async () => {
    await expect(
      startInstantLocal({ memory: true, rules: { $codes: { allow: { view: 'true' } } } }),
    ).rejects.toMatchObject({
      type: 'validation-failed',
    });
  });
});
