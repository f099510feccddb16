package status

// homeView is the home page: the overall banner, what is happening now,
// what is coming, and every component with its 90 days.
type homeView struct {
	H1, Intro  string
	Banner     look
	BannerText string
	Active     []incidentCard
	InProgress []windowCard
	Upcoming   []windowCard
	// Ungrouped components come first, without a heading.
	Ungrouped []componentRow
	Groups    []groupView
}

type groupView struct {
	Name       text
	Components []componentRow
}

// componentRow is a component with its status now and its bar.
type componentRow struct {
	Name, Description text
	Status            look
	StatusText        string
	Bar               barView
	Uptime            string
}

// homeUpdates is how many updates an active incident shows on the home
// page; its own page has them all.
const homeUpdates = 4

func (r *Renderer) home(pl *plan, l *locale, v *pageView) *homeView {
	p, k := pl.p, newLinker(HomePath(l.lang))
	h := &homeView{H1: l.tf("PageH1", "Name", v.Name), Banner: bannerLook(p)}
	if p.Customer != nil {
		h.H1, h.Intro = l.tf("PageH1Customer", "Name", v.Name), l.t("PageCustomerIntro")
	}
	h.BannerText = l.t(h.Banner.Message)
	v.Title = h.BannerText + " — " + v.Title
	for i := range p.Active {
		inc := &p.Active[i]
		card := incidentCardOf(pl, l, k, inc)
		if len(card.Updates) > homeUpdates {
			card.Updates = card.Updates[:homeUpdates]
		}
		if len(inc.Updates) > 0 {
			card.More = l.tf("PageAllUpdates", "Count", len(inc.Updates))
		}
		h.Active = append(h.Active, card)
	}
	for i := range p.InProgress {
		h.InProgress = append(h.InProgress, windowCardOf(pl, l, &p.InProgress[i]))
	}
	for i := range p.Upcoming {
		h.Upcoming = append(h.Upcoming, windowCardOf(pl, l, &p.Upcoming[i]))
	}
	grouped := map[string]bool{}
	for _, g := range p.Groups {
		gv := groupView{Name: l.text(g.Name)}
		for _, id := range g.Components {
			if c, ok := pl.components[id]; ok && !grouped[id] {
				grouped[id] = true
				gv.Components = append(gv.Components, componentRowOf(pl, l, k, c))
			}
		}
		if len(gv.Components) > 0 {
			h.Groups = append(h.Groups, gv)
		}
	}
	for i := range p.Components {
		if c := &p.Components[i]; !grouped[c.ID] {
			h.Ungrouped = append(h.Ungrouped, componentRowOf(pl, l, k, c))
		}
	}
	return h
}

func componentRowOf(pl *plan, l *locale, k linker, c *Component) componentRow {
	st := componentLook(c.Status)
	return componentRow{
		Name: l.text(c.Name), Description: l.text(c.Description),
		Status: st, StatusText: l.t(st.Message),
		Bar:    barOf(pl, l, k, c),
		Uptime: l.tf("PageUptime", "Percent", l.percent(c.Uptime)),
	}
}
