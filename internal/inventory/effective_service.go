package inventory

import (
	"context"
	"fmt"
)

// Effective returns every check the inventory implies at the graph's
// version, with secrets: the one list the monitor, the probes'
// assignments and the results intake share. The first call loads the
// whole inventory; afterwards each write of this process, and each
// Refresh, derives only the assets it changed.
func (s *Service) Effective(ctx context.Context) (*EffectiveSet, error) {
	if set := s.eff.Load(); set != nil {
		return set, nil
	}
	s.writes.Lock()
	defer s.writes.Unlock()
	if set := s.eff.Load(); set != nil {
		return set, nil
	}
	inv, version, err := loadAll(ctx, s.db)
	if err != nil {
		return nil, fmt.Errorf("effective checks: %w", err)
	}
	// The graph and the set stay at one version, the set published first.
	set := newEffectiveSet(inv, version)
	s.eff.Store(set)
	if g := s.Graph(); g == nil || g.Version() != version {
		s.graph.Store(NewGraph(inv, version))
	}
	return set, nil
}

// advanceSet takes the write of this process at version to into the
// effective set, from the inputs read in its transaction. A change too big
// to list drops the set: the next Effective builds it again.
func (s *Service) advanceSet(set *EffectiveSet, to int64, inputs *Inventory, c invChange) {
	if set == nil {
		return
	}
	if c.All || inputs == nil {
		s.eff.Store(nil)
		return
	}
	s.eff.Store(set.with(to, inputs, c.Assets, c.Kinds))
}

// catchUp brings the graph and the set to the stored version from the
// change log, or reloads everything. The caller holds s.writes.
func (s *Service) catchUp(ctx context.Context) error {
	g := s.Graph()
	from := g.Version()
	change, to, ok, err := readChanges(ctx, s.db, from)
	if err != nil {
		return err
	}
	if to == from {
		return nil
	}
	if !ok {
		if err := s.reload(ctx); err != nil {
			return err
		}
		s.log.Info("inventory graph reloaded", "version", s.Graph().Version(), "assets", s.Graph().Len())
		return nil
	}
	// What is read may be newer than to (a write committed meanwhile):
	// the next catch-up derives those assets again, which is harmless.
	inputs, err := loadChanged(ctx, s.db, s.db.Engine, change)
	if err != nil {
		return err
	}
	// The set first: whoever sees the graph's new version then finds the
	// set there too.
	if set := s.eff.Load(); set != nil {
		if set.version == from {
			s.eff.Store(set.with(to, inputs, change.Assets, change.Kinds))
		} else {
			s.eff.Store(nil)
		}
	}
	g.apply(g.planFor(inputs, change), to)
	s.log.Debug("inventory graph refreshed", "from", from, "version", to, "assets", len(change.Assets))
	return nil
}

// planFor turns what the change log names, as now stored (in inputs), into
// the plan that brings the graph there: assets and customers found are
// added or changed, those not found removed.
func (g *Graph) planFor(inputs *Inventory, c invChange) *Plan {
	g.mu.RLock()
	defer g.mu.RUnlock()
	p := &Plan{}
	byName := make(map[string]*Asset, len(inputs.Assets))
	for i := range inputs.Assets {
		if _, dup := byName[inputs.Assets[i].Name]; !dup {
			byName[inputs.Assets[i].Name] = &inputs.Assets[i]
		}
	}
	for _, name := range c.Assets {
		a, stored := byName[name]
		_, known := g.lookup(name)
		switch {
		case stored && known:
			p.ChangeAssets = append(p.ChangeAssets, *a)
		case stored:
			p.AddAssets = append(p.AddAssets, *a)
		case known:
			p.RemoveAssets = append(p.RemoveAssets, name)
		}
	}
	found := make(map[string]bool, len(inputs.Customers))
	for _, cu := range inputs.Customers {
		found[cu.ID] = true
		if _, known := g.customerName(cu.ID); known {
			p.ChangeCustomers = append(p.ChangeCustomers, cu)
		} else {
			p.AddCustomers = append(p.AddCustomers, cu)
		}
	}
	for _, id := range c.Customers {
		if _, known := g.customerName(id); known && !found[id] {
			p.RemoveCustomers = append(p.RemoveCustomers, id)
		}
	}
	return p
}
