package simulate

import "github.com/vigie/vigie/internal/inventory"

// components are what the public sees of a generated host: its shared
// hosting, databases, VPS, storage, name and mail servers and backups, each
// covering the assets that carry it.
func (g *generator) components() {
	g.inv.Components = []inventory.Component{
		{Name: "Hébergement mutualisé", NameEN: "Shared hosting", Group: "Hébergement", GroupEN: "Hosting",
			Description: "Sites PHP et leurs serveurs web", DescriptionEN: "PHP sites and their web servers",
			Covers: &inventory.Selector{Kind: kindVM, Label: "role=web"}},
		{Name: "Bases de données", NameEN: "Databases", Group: "Hébergement", GroupEN: "Hosting",
			Description: "Serveurs MySQL des sites", DescriptionEN: "The sites' MySQL servers",
			Covers: &inventory.Selector{Kind: kindVM, Label: "role=database"}},
		{Name: "VPS", Group: "Hébergement", GroupEN: "Hosting",
			Description: "Serveurs privés virtuels", DescriptionEN: "Virtual private servers",
			Covers: &inventory.Selector{Kind: kindVM, Label: "plan=vps"}},
		{Name: "Stockage", NameEN: "Storage", Group: "Infrastructure",
			Covers: &inventory.Selector{Kind: kindStorage}},
		{Name: "DNS", Group: "Infrastructure", Description: "Serveurs de noms", DescriptionEN: "Name servers",
			Assets: []string{"ns1", "ns2"}},
		{Name: "Messagerie", NameEN: "Mail", Group: "Infrastructure", Assets: []string{"mx1", "mx2"}},
		{Name: "Sauvegardes", NameEN: "Backups", Group: "Infrastructure",
			Description: "Sauvegardes dans le second centre", DescriptionEN: "Backups in the second datacenter",
			Covers: &inventory.Selector{Kind: kindBackup}},
	}
}
