package clerkredis

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sync"
	"time"

	"github.com/clerkkit/clerk-go/webhooks"
	"github.com/redis/go-redis/v9"
)

// A Store is a webhooks.Store on Redis, shared by every replica that uses the
// same Redis and prefix. A claim on an event ID is the key PREFIX"claim:"ID
// holding a random token, set only if absent, with the lease as its expiry; a
// handled event is the key PREFIX"handled:"ID, kept for the retention.
//
// Claim, Complete and Release receive only the ID, so the Store remembers
// the token of each claim it holds in its own memory: Complete and Release
// must be called on the Store (the process) that made the claim, which is
// what webhooks.Handler does. They never touch a claim made by another Store,
// even after this one's lease expired. A Store is safe for concurrent use.
type Store struct {
	rdb    redis.UniversalClient
	prefix string

	mu     sync.Mutex
	tokens map[string]string // event ID -> token of the claim this Store holds
}

var _ webhooks.Store = (*Store)(nil)

// NewStore returns a webhooks.Store on Redis: a claim is a key with the lease
// as its expiry, set only if absent; Complete replaces it with a "handled"
// key kept for the retention; Release deletes the claim if it is still this
// claim's. Every key starts with prefix. A nil rdb makes every method return
// an error.
func NewStore(rdb redis.UniversalClient, prefix string) *Store {
	return &Store{rdb: rdb, prefix: prefix, tokens: map[string]string{}}
}

func (s *Store) claimKey(id string) string   { return s.prefix + "claim:" + id }
func (s *Store) handledKey(id string) string { return s.prefix + "handled:" + id }

// Claim reserves id for at most lease. It reports Handled when id was
// completed before (within the retention), Busy when another claim on id is
// still live, and Claimed otherwise.
func (s *Store) Claim(ctx context.Context, id string, lease time.Duration) (webhooks.ClaimResult, error) {
	if s.rdb == nil {
		return 0, errNilClient
	}
	if lease < time.Millisecond {
		return 0, fmt.Errorf("clerkredis: Claim: the lease is %v; it must be at least 1ms", lease)
	}
	token, err := newToken()
	if err != nil {
		return 0, err
	}
	n, err := claimScript.Run(ctx, s.rdb, []string{s.handledKey(id), s.claimKey(id)}, token, lease.Milliseconds()).Int()
	if err != nil {
		return 0, fmt.Errorf("clerkredis: claiming event %q: %w", id, err)
	}
	r := webhooks.ClaimResult(n)
	switch r {
	case webhooks.Claimed:
		s.mu.Lock()
		s.tokens[id] = token
		s.mu.Unlock()
	case webhooks.Handled, webhooks.Busy:
	default:
		return 0, fmt.Errorf("clerkredis: claiming event %q: unexpected answer %d from Redis", id, n)
	}
	return r, nil
}

// Complete records id as handled for retention and ends this Store's claim
// on it.
func (s *Store) Complete(ctx context.Context, id string, retention time.Duration) error {
	if s.rdb == nil {
		return errNilClient
	}
	if retention < time.Millisecond {
		return fmt.Errorf("clerkredis: Complete: the retention is %v; it must be at least 1ms", retention)
	}
	token := s.take(id)
	err := completeScript.Run(ctx, s.rdb, []string{s.handledKey(id), s.claimKey(id)}, token, retention.Milliseconds()).Err()
	if err != nil {
		return fmt.Errorf("clerkredis: completing event %q: %w", id, err)
	}
	return nil
}

// Release ends this Store's claim on id without recording it, so that a
// redelivery is handled again. A claim made since by another Store stays.
func (s *Store) Release(ctx context.Context, id string) error {
	if s.rdb == nil {
		return errNilClient
	}
	token := s.take(id)
	if token == "" {
		return nil
	}
	if err := releaseScript.Run(ctx, s.rdb, []string{s.claimKey(id)}, token).Err(); err != nil {
		return fmt.Errorf("clerkredis: releasing event %q: %w", id, err)
	}
	return nil
}

// take returns and forgets the token of this Store's claim on id, or "".
func (s *Store) take(id string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.tokens[id]
	delete(s.tokens, id)
	return t
}

func newToken() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("clerkredis: making a claim token: %w", err)
	}
	return hex.EncodeToString(b), nil
}
