package clerk

import (
	"context"
	"iter"
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
	return s.client.walk(ctx, p.Offset, p.Limit, func(ctx context.Context, offset, limit int) (*OrganizationMemberships, error) {
		q := p
		q.Offset, q.Limit = offset, limit
		page, _, err := s.List(ctx, organizationID, &q)
		return page, err
	})
}

// AllForInstance walks every membership of every organization of the
// instance, as All does for one organization.
func (s *OrganizationMembershipsService) AllForInstance(ctx context.Context, params *ListInstanceOrganizationMembershipsParams) iter.Seq2[*OrganizationMembership, error] {
	var p ListInstanceOrganizationMembershipsParams
	if params != nil {
		p = *params
	}
	return s.client.walk(ctx, p.Offset, p.Limit, func(ctx context.Context, offset, limit int) (*OrganizationMemberships, error) {
		q := p
		q.Offset, q.Limit = offset, limit
		page, _, err := s.ListForInstance(ctx, &q)
		return page, err
	})
}

// fetchPage fetches the page of the given size at offset.
type fetchPage func(ctx context.Context, offset, limit int) (*OrganizationMemberships, error)

// walk yields every membership from offset on. Pages are fetched one after
// another until the first is in; then, when the Client's page concurrency
// allows, the rest are fetched concurrently by walkConcurrent. The walk ends
// at total_count or at the first empty page, whichever comes first, so it
// ends even when total_count is wrong.
func (c *Client) walk(ctx context.Context, offset, limit int, fetch fetchPage) iter.Seq2[*OrganizationMembership, error] {
	return func(yield func(*OrganizationMembership, error) bool) {
		if err := checkContext(ctx); err != nil {
			yield(nil, err)
			return
		}
		if limit == 0 {
			limit = maxPageSize
		}
		for {
			page, err := fetch(ctx, offset, limit)
			if err != nil {
				yield(nil, err)
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
				walkConcurrent(ctx, c.pageConcurrency, offset, len(page.Data), page.TotalCount,
					func(ctx context.Context, offset int) (*OrganizationMemberships, error) {
						return fetch(ctx, offset, limit)
					}, yield)
				return
			}
		}
	}
}

// walkConcurrent fetches the pages at offset, offset+stride, ... below total
// with up to k requests in flight, and yields them in order. At most k pages
// are held at once: the one being yielded and those in flight. It returns
// only when every request it started has finished.
func walkConcurrent(ctx context.Context, k, offset, stride int, total int64,
	fetch func(ctx context.Context, offset int) (*OrganizationMemberships, error),
	yield func(*OrganizationMembership, error) bool) {

	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer func() {
		cancel()
		wg.Wait()
	}()

	type result struct {
		page *OrganizationMemberships
		err  error
	}
	var pending []chan result // in offset order
	fill := func() {
		for len(pending) < k && int64(offset) < total {
			ch := make(chan result, 1)
			pending = append(pending, ch)
			wg.Add(1)
			go func(offset int) {
				defer wg.Done()
				page, err := fetch(ctx, offset)
				ch <- result{page, err}
			}(offset)
			offset += stride
		}
	}

	fill()
	for len(pending) > 0 {
		r := <-pending[0]
		pending = pending[1:]
		if r.err != nil {
			yield(nil, r.err)
			return
		}
		if !yieldPage(r.page, yield) || len(r.page.Data) == 0 {
			return
		}
		total = r.page.TotalCount
		fill()
	}
}

// yieldPage yields the page's memberships and reports whether the caller
// wants more.
func yieldPage(page *OrganizationMemberships, yield func(*OrganizationMembership, error) bool) bool {
	for _, m := range page.Data {
		if !yield(m, nil) {
			return false
		}
	}
	return true
}
