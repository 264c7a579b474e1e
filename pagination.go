package clerk

import (
	"context"
	"iter"
	"runtime"
	"sync"
)

// All walks every membership of the organization that matches params, page
// after page, from params.Offset on, using params.Limit as the page size (500,
// the largest Clerk serves, when unset). It never modifies params.
//
// The first page is fetched alone, so a loop that stops within it makes one
// request. After that, up to the Client's page concurrency (see
// WithPageConcurrency) pages are fetched at once; memberships are still
// yielded in order. Breaking out of the loop stops fetching and cancels the
// requests in flight. An error is yielded once, with a nil membership, and
// ends the sequence.
//
// Like any offset pagination, a walk over memberships that change while it
// runs may skip or repeat some of them.
func (s *OrganizationMembershipsService) All(ctx context.Context, organizationID string, params *ListOrganizationMembershipsParams) iter.Seq2[*OrganizationMembership, error] {
	var p ListOrganizationMembershipsParams
	if params != nil {
		p = *params
	}
	return s.walk(ctx, p.Offset, p.Limit, func(offset, limit int) (*Request, error) {
		q := p
		q.Offset, q.Limit = offset, limit
		return listRequest(organizationID, &q)
	})
}

// AllForInstance walks every membership of every organization of the
// instance, as All does for one organization.
func (s *OrganizationMembershipsService) AllForInstance(ctx context.Context, params *ListInstanceOrganizationMembershipsParams) iter.Seq2[*OrganizationMembership, error] {
	var p ListInstanceOrganizationMembershipsParams
	if params != nil {
		p = *params
	}
	return s.walk(ctx, p.Offset, p.Limit, func(offset, limit int) (*Request, error) {
		q := p
		q.Offset, q.Limit = offset, limit
		return instanceListRequest(&q)
	})
}

// AllForUser walks every membership of the user, one per organization the
// user belongs to, as All does for one organization.
func (s *OrganizationMembershipsService) AllForUser(ctx context.Context, userID string, params *ListUserOrganizationMembershipsParams) iter.Seq2[*OrganizationMembership, error] {
	var p ListUserOrganizationMembershipsParams
	if params != nil {
		p = *params
	}
	return s.walk(ctx, p.Offset, p.Limit, func(offset, limit int) (*Request, error) {
		return userListRequest(userID, &ListUserOrganizationMembershipsParams{Offset: offset, Limit: limit})
	})
}

// walk walks the pages of the list whose page at a given offset and size
// pageRequest builds.
func (s *OrganizationMembershipsService) walk(ctx context.Context, offset, limit int, pageRequest func(offset, limit int) (*Request, error)) iter.Seq2[*OrganizationMembership, error] {
	return walk(s.client, ctx, offset, limit, func(ctx context.Context, offset, limit int, arrived func() error) (*listPage[*OrganizationMembership], error) {
		r, err := pageRequest(offset, limit)
		if err != nil {
			return nil, err
		}
		page, _, err := s.doPage(ctx, r, arrived)
		if err != nil {
			return nil, err
		}
		return &listPage[*OrganizationMembership]{Data: page.Data, TotalCount: page.TotalCount}, nil
	})
}

// listPage is one page of a list envelope ({"data": [...], "total_count": N})
// of items of type T, as the iterators walk it.
type listPage[T any] struct {
	Data       []T
	TotalCount int64
}

// fetchPage fetches the page of the given size at offset. arrived, when not
// nil, is called once the response has arrived, before it is decoded.
type fetchPage[T any] func(ctx context.Context, offset, limit int, arrived func() error) (*listPage[T], error)

// walk yields every item from offset on. Pages are fetched one after
// another until the first is in; then, when the Client's page concurrency
// allows, the rest are fetched concurrently by walkConcurrent. The walk ends
// at total_count or at the first empty page, whichever comes first, so it
// ends even when total_count is wrong.
func walk[T any](c *Client, ctx context.Context, offset, limit int, fetch fetchPage[T]) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var none T
		if err := checkContext(ctx); err != nil {
			yield(none, err)
			return
		}
		if limit == 0 {
			limit = maxPageSize
		}
		for {
			page, err := fetch(ctx, offset, limit, nil)
			if err != nil {
				yield(none, err)
				return
			}
			if !yieldPage(page, yield) || len(page.Data) == 0 {
				return
			}
			offset += len(page.Data)
			if int64(offset) >= page.TotalCount {
				return
			}
			if c.pageConcurrency > 1 {
				// The server's real page size is the stride, in case it
				// serves fewer than limit per page.
				walkConcurrent(ctx, c.pageConcurrency, offset, len(page.Data), limit, page.TotalCount, fetch, yield)
				return
			}
		}
	}
}

// walkConcurrent fetches the pages of size limit at offset, offset+stride,
// ... below total and yields them in order. Two bounds hold at all times:
//
//   - at most k requests wait for the server at once: a request that gets
//     its answer makes room for the next at once, so decoding one page
//     overlaps waiting for the next ones;
//   - at most k pages are held in memory: the page being yielded and the k-1
//     after it. An answer that arrives further ahead waits, undecoded, in the
//     connection until the walk catches up.
//
// It returns only when every request it started has finished.
func walkConcurrent[T any](ctx context.Context, k, offset, stride, limit int, total int64, fetch fetchPage[T],
	yield func(T, error) bool) {

	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer func() {
		cancel()
		wg.Wait()
	}()

	var (
		pending  []*pageFetch[T] // requested and not yet yielded, in offset order
		awaiting int             // requested pages whose answer has not arrived
		arrivals = make(chan *pageFetch[T], 2*k)
	)
	launch := func() {
		p := &pageFetch[T]{done: make(chan pageResult[T], 1), mayDecode: make(chan struct{})}
		if len(pending) < k {
			close(p.mayDecode)
		}
		pending = append(pending, p)
		awaiting++
		wg.Add(1)
		go func(offset int) {
			defer wg.Done()
			page, err := fetch(ctx, offset, limit, func() error {
				select {
				case arrivals <- p:
				case <-ctx.Done():
					return ctx.Err()
				}
				// Let the walk send the next request before this goroutine
				// spends milliseconds of CPU decoding: otherwise, with every
				// core decoding, the next request waits for preemption.
				runtime.Gosched()
				select {
				case <-p.mayDecode:
					return nil
				case <-ctx.Done():
					return ctx.Err()
				}
			})
			p.done <- pageResult[T]{page, err}
		}(offset)
		offset += stride
	}
	arrived := func(p *pageFetch[T]) {
		if !p.arrived {
			p.arrived = true
			awaiting--
		}
	}
	fill := func() {
		for awaiting < k && len(pending) < 2*k && int64(offset) < total {
			launch()
		}
	}

	fill()
	for len(pending) > 0 {
		select {
		case p := <-arrivals:
			arrived(p)
			fill()
		case r := <-pending[0].done:
			arrived(pending[0])
			fill()
			if r.err != nil {
				var none T
				yield(none, r.err)
				return
			}
			if !yieldPage(r.page, yield) || len(r.page.Data) == 0 {
				return
			}
			pending = pending[1:]
			if len(pending) >= k {
				close(pending[k-1].mayDecode) // it is now within k of the walk
			}
			total = r.page.TotalCount
			fill()
		}
	}
}

// pageFetch is one page requested by walkConcurrent.
type pageFetch[T any] struct {
	done      chan pageResult[T] // receives the page, or the error, once
	mayDecode chan struct{}      // closed when the page may be decoded
	arrived   bool               // its answer has been counted as arrived
}

type pageResult[T any] struct {
	page *listPage[T]
	err  error
}

// yieldPage yields the page's items and reports whether the caller wants
// more.
func yieldPage[T any](page *listPage[T], yield func(T, error) bool) bool {
	for _, m := range page.Data {
		if !yield(m, nil) {
			return false
		}
	}
	return true
}
