import JailSys
public enum JailsPlaceholder {}
