package inventory

// NewEffectiveSetForTest lets the external benchmarks build a set.
var NewEffectiveSetForTest = newEffectiveSet
