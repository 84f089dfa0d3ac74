package main

import (
	"context"
	"flag"
	"fmt"
	"time"

	"gridgov/auth"
	"gridgov/gid"
	"gridgov/store"
)

func cmdToken(ctx context.Context, a *app, args []string) error {
	if len(args) == 0 || (args[0] != "issue" && args[0] != "demo") {
		return fmt.Errorf("usage: gridgov token issue --role R --scope city|PLACE_ID [--subject ID] [--ttl 1h] | gridgov token demo")
	}
	keys, err := auth.LoadKeys(a.cfg.JWTAlg, a.cfg.JWTSecret, a.cfg.JWTPublicKey, a.cfg.JWTPrivateKey,
		a.cfg.JWTAudience, a.cfg.JWTIssuer, a.cfg.JWTLeeway)
	if err != nil {
		return err
	}
	if args[0] == "demo" {
		return demoTokens(ctx, a, keys)
	}
	fs := flag.NewFlagSet("token issue", flag.ContinueOnError)
	fs.SetOutput(a.stderr)
	role := fs.String("role", "", "one of: city_admin leader street_cadre community_cadre grid_worker party_member unit_admin resident statistician")
	scope := fs.String("scope", "", `"city", or the global id of a street, community, grid (or unit, for unit_admin)`)
	subject := fs.String("subject", "", "the person id the token acts for")
	ttl := fs.Duration("ttl", time.Hour, "how long the token is valid")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	tok, err := keys.Issue(*role, *scope, *subject, *ttl, time.Now())
	if err != nil {
		return err
	}
	fmt.Fprintln(a.stdout, tok)
	return nil
}

// demoTokens prints a ready-to-paste token for each role, acting for a real person of the
// demo city in a real place.
func demoTokens(ctx context.Context, a *app, keys auth.Keys) error {
	pool, err := store.Open(ctx, a.cfg.PGURL, 2)
	if err != nil {
		return err
	}
	defer pool.Close()
	type demo struct {
		role, scopeType, sql string
	}
	demos := []demo{
		{"city_admin", "", `SELECT 0, (SELECT person_id FROM cadres WHERE is_leader ORDER BY id LIMIT 1)`},
		{"leader", "Street", `SELECT street_id, person_id FROM cadres WHERE is_leader ORDER BY id LIMIT 1`},
		{"street_cadre", "Street", `SELECT street_id, person_id FROM cadres WHERE kind = 'street_cadre' AND NOT is_leader ORDER BY id LIMIT 1`},
		{"community_cadre", "Community", `SELECT community_id, person_id FROM cadres WHERE kind = 'community_cadre' ORDER BY id LIMIT 1`},
		{"grid_worker", "Grid", `SELECT a.grid_id, c.person_id FROM grid_assignments a JOIN cadres c ON c.id = a.cadre_id WHERE a.role = 'grid_worker' ORDER BY a.id LIMIT 1`},
		{"party_member", "Grid", `SELECT grid_id, person_id FROM party_members WHERE grid_id IS NOT NULL ORDER BY id LIMIT 1`},
		{"unit_admin", "Unit", `SELECT id, 0 FROM units ORDER BY id LIMIT 1`},
		{"resident", "Grid", `SELECT grid_id, person_id FROM residents ORDER BY id LIMIT 1`},
		{"statistician", "", `SELECT 0, 0`},
	}
	fmt.Fprintln(a.stdout, "# demo tokens, valid 12 h: curl -H \"Authorization: Bearer $TOKEN\" ...")
	for _, d := range demos {
		var place, person int64
		if err := pool.QueryRow(ctx, d.sql).Scan(&place, &person); err != nil {
			return fmt.Errorf("demo %s: %w (is the demo city seeded?)", d.role, err)
		}
		scope := auth.ScopeCity
		if d.scopeType != "" {
			scope = gid.Encode(d.scopeType, place)
		}
		subject := ""
		if person > 0 {
			subject = fmt.Sprint(person)
		}
		tok, err := keys.Issue(d.role, scope, subject, 12*time.Hour, time.Now())
		if err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "%-16s %s\n", d.role, tok)
	}
	return nil
}
