"""The weekly digest: subscribe, compile and build a week, compose the mail, deliver it."""
