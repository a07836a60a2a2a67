import { describe, expect, test } from 'vitest';
import { forgetUnsent, Outbox, outboxKey, unsentSaves, type OutboxStorage } from './outbox';

function memoryStorage(): OutboxStorage & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return {
    data,
    getItem: (key) => data.get(key) ?? null,
    setItem: (key, value) => void data.set(key, value),
    removeItem: (key) => void data.delete(key),
  };
}

const request = (key: string) => ({ assignmentId: '00000000-0000-4000-8000-000000000001', key, outcome: 'busy', answers: {}, next: true });

describe('the outbox of saves', () => {
  test('keeps saves in order across a reload, sent without asking for the next person', () => {
    const storage = memoryStorage();
    const key = outboxKey('user-1', 'campaign-1');
    const outbox = new Outbox(storage, key);
    outbox.add(request('key-aaaa-1'), 'Anna Andersson', false);
    outbox.add(request('key-bbbb-2'), 'Bo Berg', true);
    const reloaded = new Outbox(storage, key);
    expect(reloaded.list().map((item) => [item.request.key, item.person, item.request.next])).toEqual([
      ['key-aaaa-1', 'Anna Andersson', false],
      ['key-bbbb-2', 'Bo Berg', false],
    ]);
  });

  test('holds a key once, and forgets it when answered', () => {
    const storage = memoryStorage();
    const outbox = new Outbox(storage, outboxKey('u', 'c'));
    outbox.add(request('key-aaaa-1'), 'Anna', false);
    outbox.add(request('key-aaaa-1'), 'Anna', false);
    expect(outbox.size).toBe(1);
    outbox.remove('key-aaaa-1');
    expect(outbox.size).toBe(0);
    expect(storage.data.size).toBe(0);
  });

  test('is kept per user and campaign', () => {
    const storage = memoryStorage();
    new Outbox(storage, outboxKey('u1', 'c')).add(request('key-aaaa-1'), 'Anna', false);
    expect(new Outbox(storage, outboxKey('u2', 'c')).size).toBe(0);
    expect(new Outbox(storage, outboxKey('u1', 'c2')).size).toBe(0);
  });

  test('survives storage that is broken or blocked, in memory', () => {
    const storage = memoryStorage();
    storage.data.set(outboxKey('u', 'c'), '{not json');
    const outbox = new Outbox(storage, outboxKey('u', 'c'));
    expect(outbox.size).toBe(0);
    const blocked: OutboxStorage = {
      getItem: () => {
        throw new Error('blocked');
      },
      setItem: () => {
        throw new Error('blocked');
      },
      removeItem: () => {},
    };
    const inMemory = new Outbox(blocked, 'k');
    inMemory.add(request('key-aaaa-1'), 'Anna', false);
    expect(inMemory.size).toBe(1);
  });
});

describe('what the outbox keeps of answers', () => {
  function browserLike() {
    const storage = memoryStorage();
    return {
      ...storage,
      get length() {
        return storage.data.size;
      },
      key: (index: number) => [...storage.data.keys()][index] ?? null,
    };
  }

  test('a save waiting longer than a day is dropped unsent, and gone from storage', () => {
    const storage = browserLike();
    const key = outboxKey('user-1', 'campaign-1');
    const queuedAt = new Date('2026-11-20T18:00:00Z');
    new Outbox(storage, key, queuedAt).add(request('key-old-1'), 'Anna Andersson', false, queuedAt);
    new Outbox(storage, key, queuedAt).add(request('key-new-2'), 'Bo Berg', false, new Date('2026-11-21T17:00:00Z'));
    const nextDay = new Date('2026-11-21T18:30:00Z');
    expect(new Outbox(storage, key, nextDay).list().map((item) => item.person)).toEqual(['Bo Berg']);
    expect(storage.data.get(key)).not.toContain('Anna');
    expect(unsentSaves(storage, 'user-1', nextDay)).toBe(1);
  });

  test('signing out deletes the user’s unsent saves in every campaign, and only theirs', () => {
    const storage = browserLike();
    new Outbox(storage, outboxKey('user-1', 'campaign-1')).add(request('key-aaaa-1'), 'Anna Andersson', false);
    new Outbox(storage, outboxKey('user-1', 'campaign-2')).add(request('key-bbbb-2'), 'Bo Berg', false);
    new Outbox(storage, outboxKey('user-2', 'campaign-1')).add(request('key-cccc-3'), 'Cecilia Carlsson', false);
    storage.setItem('ringa.locale', 'sv');
    expect(unsentSaves(storage, 'user-1')).toBe(2);
    forgetUnsent(storage, 'user-1');
    expect(unsentSaves(storage, 'user-1')).toBe(0);
    expect(unsentSaves(storage, 'user-2')).toBe(1);
    expect(storage.data.get('ringa.locale')).toBe('sv');
  });
});
