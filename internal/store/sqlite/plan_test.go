package sqlite

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"ftpanel/internal/hosting"
)

// TestQueryPlans checks that the hot queries use an index for both the
// selection and the order: no full scan of ftp_accounts, no sort.
func TestQueryPlans(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "plan.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// Statistics as on a store with many accounts, so that the planner
	// decides as it will in production.
	if _, err := db.w.ExecContext(ctx, "ANALYZE"); err != nil {
		t.Fatal(err)
	}
	id, yes, no := int64(7), true, false
	list := func(f hosting.AccountFilter) (string, []any) {
		w := accountWhere(f)
		if f.AfterID > 0 {
			w.add("a.id > ?", f.AfterID)
		}
		return "SELECT " + accountCols + accountFrom + w.String() + " ORDER BY a.id" + limitOffset(w, f.Limit, 0), w.args
	}
	count := func(f hosting.AccountFilter) (string, []any) {
		w := accountWhere(f)
		return "SELECT count(*) FROM ftp_accounts a" + w.String(), w.args
	}
	tests := []struct {
		name  string
		query func() (string, []any)
	}{
		{"AccountByLogin", func() (string, []any) {
			return "SELECT " + accountCols + accountFrom + " WHERE a.login = ?", []any{"x"}
		}},
		{"Page", func() (string, []any) { return list(hosting.AccountFilter{AfterID: 5000, Limit: 50}) }},
		{"PageSite", func() (string, []any) { return list(hosting.AccountFilter{SiteID: &id, AfterID: 5000, Limit: 50}) }},
		{"PageCustomer", func() (string, []any) { return list(hosting.AccountFilter{CustomerID: &id, AfterID: 5000, Limit: 50}) }},
		{"PageCustomerAdditional", func() (string, []any) {
			return list(hosting.AccountFilter{CustomerID: &id, Main: &no, AfterID: 5000, Limit: 50})
		}},
		{"CountCustomer", func() (string, []any) { return count(hosting.AccountFilter{CustomerID: &id}) }},
		{"CountSiteMain", func() (string, []any) { return count(hosting.AccountFilter{SiteID: &id, Main: &yes}) }},
		{"LimitSite", func() (string, []any) { return countAdditionalBySite, []any{id} }},
		{"LimitCustomer", func() (string, []any) { return countAdditionalByCustomer, []any{id} }},
	}
	for _, tc := range tests {
		q, args := tc.query()
		rows, err := db.r.QueryContext(ctx, "EXPLAIN QUERY PLAN "+q, args...)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		for _, step := range plan {
			if strings.HasPrefix(step, "SCAN ") && step != "SCAN CONSTANT ROW" || strings.Contains(step, "TEMP B-TREE") {
				t.Errorf("%s: plan %q scans or sorts", tc.name, strings.Join(plan, "; "))
			}
		}
	}
}
