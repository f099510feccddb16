package simulate

import (
	"math"
	"strconv"
	"strings"

	"github.com/vigie/vigie/internal/inventory"
)

// Words customer names are made of, French for French-speaking customers.
var (
	frForms = []string{"Association", "Atelier", "Cabinet", "Librairie", "Boulangerie", "Collectif",
		"Compagnie", "Coopérative", "Éditions", "Ferme", "Théâtre", "École", "Club", "Studio", "Café"}
	enForms = []string{"Studio", "Bakery", "Press", "Workshop", "Collective", "Club", "Books",
		"Farm", "Theatre", "Design", "Consulting", "Café"}
	surnames = []string{"Dupont", "Martin", "Lefèvre", "Moreau", "Girard", "Bernard", "Lambert",
		"Fontaine", "Rousseau", "Fournier", "Tremblay", "Gagnon", "Roy", "Côté", "Bouchard",
		"Gauthier", "Pelletier", "Bergeron", "Lévesque", "Caron", "O'Brien", "MacLeod", "Nguyen"}
)

// paretoAlpha shapes how sites spread over customers: most own a few, some
// own hundreds. maxWeight keeps one unlucky draw from owning a large part of
// the host; a weight is also at most a tenth of the number of customers,
// which keeps any customer of a small host under about 5% of its sites.
const (
	paretoAlpha = 1.5
	maxWeight   = 1000
)

// customers adds the customers: ids C000001…, about 70% French-speaking,
// mostly in Paris, some in Montreal or Toronto.
func (g *generator) customers() {
	n := g.shape.Customers
	width := max(6, len(strconv.Itoa(n)))
	id := []byte{'C'}
	var name strings.Builder
	for i := range n {
		id = appendPadded(id[:1], i+1, width)
		c := inventory.Customer{
			ID:       string(id),
			Email:    "contact@" + strings.ToLower(string(id)) + ".example",
			Language: "fr",
			Timezone: inventory.DefaultTimezone,
		}
		forms := frForms
		if g.rng.IntN(10) >= 7 {
			c.Language, forms = "en", enForms
		}
		switch r := g.rng.IntN(10); {
		case c.Language == "fr" && r == 0, c.Language == "en" && r < 3:
			c.Timezone = "America/Montreal"
		case c.Language == "en" && r < 8:
			c.Timezone = "America/Toronto"
		}
		name.Reset()
		name.WriteString(forms[g.rng.IntN(len(forms))])
		name.WriteByte(' ')
		name.WriteString(surnames[g.rng.IntN(len(surnames))])
		c.Name = name.String()
		g.inv.Customers = append(g.inv.Customers, c)
	}
}

// owners returns the index of the owning customer of each site. Every
// customer owns one site when there are enough; the rest go by weights drawn
// from a Pareto distribution shifted to start at 0 (so that many customers
// own a single site), then the sites are shuffled so that a
// customer's sites spread over many VMs.
func (g *generator) owners() []int32 {
	sites, customers := g.shape.Sites, g.shape.Customers
	base := 0
	if sites >= customers {
		base = 1
	}
	rest := sites - base*customers
	counts := make([]int, customers)
	weights := make([]float64, customers)
	limit := min(maxWeight, max(1, float64(customers)/10))
	var total float64
	for i := range weights {
		u := 1 - g.rng.Float64() // in (0, 1]
		weights[i] = min(limit, math.Pow(u, -1/paretoAlpha)-1)
		total += weights[i]
	}
	if total == 0 {
		total = 1 // every weight 0: the last customer takes the rest
	}
	// Cumulative rounding hands out exactly rest sites, none negative.
	var cum float64
	prev := 0
	for i, w := range weights {
		cum += w
		upto := int(float64(rest) * cum / total)
		if i == len(weights)-1 {
			upto = rest
		}
		counts[i] = upto - prev
		prev = upto
	}
	owners := make([]int32, 0, sites)
	for i, c := range counts {
		for range base + c {
			owners = append(owners, int32(i))
		}
	}
	g.rng.Shuffle(len(owners), func(i, j int) { owners[i], owners[j] = owners[j], owners[i] })
	return owners
}
