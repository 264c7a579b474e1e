package clerkredis

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	clerk "github.com/clerkkit/clerk-go"
	"github.com/redis/go-redis/v9"
	"golang.org/x/time/rate"
)

// retryRedisAfter is how long a Limiter uses its fallback after Redis failed
// before it tries Redis again, so that an outage costs one failed round trip
// (or one connection timeout) per interval, not one per Wait.
const retryRedisAfter = time.Second

// A Limiter is a clerk.Limiter and clerk.Throttler whose budget is shared by
// every Limiter made with the same Redis and key. It is safe for concurrent
// use.
//
// Wait reserves a slot in one round trip: the script run in Redis decides,
// by GCRA on Redis's clock, when the request may go, moves the budget on and
// returns how long to sleep. A Wait cancelled while it sleeps does not give
// its slot back: the fleet then sends a little less than it could, never
// more.
type Limiter struct {
	rdb      redis.UniversalClient
	key      string
	limit    Limit
	ops      map[string]opLimit
	fallback clerk.Limiter

	mu        sync.Mutex
	downUntil time.Time // while Redis is taken as unreachable
}

type opLimit struct {
	key   string
	limit Limit
}

type limiterConfig struct {
	ops      map[string]Limit
	fallback clerk.Limiter
	err      error
}

// A LimiterOption configures NewLimiter.
type LimiterOption func(*limiterConfig)

// WithOperationLimit gives one operation (clerk.OperationName) a budget of
// its own, on top of the shared one, such as Limit{250, time.Hour, 1} for
// CreateOrganizationInvitation. Both are decided in the same script. The
// operation's budget is shared by every Limiter made with the same key and
// the same operation limit. While Redis is unreachable only the fallback
// applies.
func WithOperationLimit(operation string, l Limit) LimiterOption {
	return func(c *limiterConfig) {
		if operation == "" {
			c.err = errors.Join(c.err, errors.New("clerkredis: WithOperationLimit: the operation name is empty"))
			return
		}
		if err := l.check("WithOperationLimit(" + strconv.Quote(operation) + ")"); err != nil {
			c.err = errors.Join(c.err, err)
			return
		}
		c.ops[operation] = l
	}
}

// WithFallback is used while Redis cannot be reached; the default is a
// local limiter (golang.org/x/time/rate) of Requests/16 per Per, so that an
// outage slows a fleet of up to 16 processes down instead of stopping it or
// sending unlimited traffic. After a failed round trip the Limiter uses the
// fallback for one second before it tries Redis again.
func WithFallback(l clerk.Limiter) LimiterOption {
	return func(c *limiterConfig) {
		if l == nil {
			c.err = errors.Join(c.err, errors.New("clerkredis: WithFallback: the Limiter is nil"))
			return
		}
		c.fallback = l
	}
}

var (
	_ clerk.Limiter   = (*Limiter)(nil)
	_ clerk.Throttler = (*Limiter)(nil)
)

// NewLimiter returns a clerk.Limiter (and clerk.Throttler) whose budget is
// shared by every limiter made with the same Redis and key. One clock counts:
// Redis's. The key and the keys derived from it ("key:op:NAME") expire as
// soon as their state no longer matters.
func NewLimiter(rdb redis.UniversalClient, key string, l Limit, opts ...LimiterOption) (*Limiter, error) {
	if rdb == nil {
		return nil, errNilClient
	}
	if key == "" {
		return nil, errors.New("clerkredis: NewLimiter: the key is empty")
	}
	if err := l.check("NewLimiter"); err != nil {
		return nil, err
	}
	cfg := limiterConfig{ops: map[string]Limit{}}
	for _, opt := range opts {
		if opt == nil {
			return nil, errors.New("clerkredis: NewLimiter: an option is nil")
		}
		opt(&cfg)
	}
	if cfg.err != nil {
		return nil, cfg.err
	}
	if cfg.fallback == nil {
		every := float64(l.Requests) / 16 / l.Per.Seconds()
		cfg.fallback = rate.NewLimiter(rate.Limit(every), max(1, l.Burst/16))
	}
	lim := &Limiter{rdb: rdb, key: key, limit: l, fallback: cfg.fallback, ops: map[string]opLimit{}}
	for name, ol := range cfg.ops {
		lim.ops[name] = opLimit{key: key + ":op:" + name, limit: ol}
	}
	return lim, nil
}

// Wait blocks until the shared budget (and the operation's, if it has one)
// allows one request, or ctx is done. A wait that would end after ctx's
// deadline returns at once an error that satisfies
// errors.Is(err, context.DeadlineExceeded), and reserves nothing.
func (l *Limiter) Wait(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if l.redisDown() {
		return l.fallback.Wait(ctx)
	}
	maxWait := time.Duration(-1)
	if dl, ok := ctx.Deadline(); ok {
		maxWait = max(time.Until(dl), 0)
	}
	ok, wait, err := l.reserve(ctx, clerk.OperationName(ctx), maxWait)
	if err != nil {
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
		l.markDown()
		return l.fallback.Wait(ctx)
	}
	if !ok {
		return fmt.Errorf("clerkredis: the shared budget allows the next request in %v, after the context's deadline: %w", wait, context.DeadlineExceeded)
	}
	if wait <= 0 {
		return nil
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Throttle pauses every process sharing the key until retryAfter from now,
// on Redis's clock: no Wait of any of them returns before then. While Redis
// is unreachable it is passed on to the fallback if that is a
// clerk.Throttler.
func (l *Limiter) Throttle(ctx context.Context, retryAfter time.Duration) {
	if retryAfter <= 0 {
		return
	}
	if !l.redisDown() {
		err := throttleScript.Run(ctx, l.rdb, []string{l.key}, retryAfter.Microseconds(), l.limit.tolerance()).Err()
		if err == nil {
			return
		}
		if ctx.Err() == nil {
			l.markDown()
		}
	}
	if t, ok := l.fallback.(clerk.Throttler); ok {
		t.Throttle(ctx, retryAfter)
	}
}

func (l *Limiter) redisDown() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return time.Now().Before(l.downUntil)
}

func (l *Limiter) markDown() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.downUntil = time.Now().Add(retryRedisAfter)
}

// reserve runs one GCRA decision for the shared key and operation's key, if
// it has one. It reserves a slot and reports true with the wait until it,
// unless that wait is longer than maxWait (negative: no bound).
func (l *Limiter) reserve(ctx context.Context, operation string, maxWait time.Duration) (bool, time.Duration, error) {
	keys := []string{l.key}
	args := []any{l.limit.interval(), l.limit.tolerance()}
	if op, ok := l.ops[operation]; ok {
		keys = append(keys, op.key)
		args = append(args, op.limit.interval(), op.limit.tolerance())
	}
	mw := int64(-1)
	if maxWait >= 0 {
		mw = maxWait.Microseconds()
	}
	args = append(args, mw)
	res, err := reserveScript.Run(ctx, l.rdb, keys, args...).Int64Slice()
	if err != nil {
		return false, 0, err
	}
	if len(res) != 2 {
		return false, 0, fmt.Errorf("clerkredis: unexpected answer %v from Redis", res)
	}
	return res[0] == 1, time.Duration(res[1]) * time.Microsecond, nil
}
