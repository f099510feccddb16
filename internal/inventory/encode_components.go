package inventory

// components writes the public components in their order, in block style
// as people write them, the selector and the assets as flow collections.
func (y *yamlWriter) components(cs []Component) {
	if len(cs) == 0 {
		return
	}
	y.put("components:\n")
	for i := range cs {
		if y.err != nil {
			return
		}
		c := &cs[i]
		y.field("  - name: ", c.Name, true, "component", c.Name)
		y.field("\n    name_en: ", c.NameEN, false, "component", c.Name)
		y.field("\n    group: ", c.Group, false, "component", c.Name)
		y.field("\n    group_en: ", c.GroupEN, false, "component", c.Name)
		if s := c.Covers; s != nil {
			y.put("\n    covers: {")
			if s.Kind != "" {
				y.put("kind: ")
				y.scalar(s.Kind, true, "component", c.Name)
			}
			if s.Label != "" {
				if s.Kind != "" {
					y.put(", ")
				}
				y.put("label: ")
				y.scalar(s.Label, true, "component", c.Name)
			}
			y.putByte('}')
		}
		if len(c.Assets) > 0 {
			y.put("\n    assets: [")
			for j, a := range c.Assets {
				if j > 0 {
					y.put(", ")
				}
				y.scalar(a, true, "component", c.Name)
			}
			y.putByte(']')
		}
		y.field("\n    description: ", c.Description, false, "component", c.Name)
		y.field("\n    description_en: ", c.DescriptionEN, false, "component", c.Name)
		y.putByte('\n')
	}
}
