/// placeholder, replaced by the Rctl module
public enum RctlPlaceholder {}
