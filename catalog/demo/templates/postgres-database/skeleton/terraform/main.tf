module "${{ values.module }}" {
  source           = "../modules/postgres"
  name             = "${{ values.name }}"
  engine_version   = "${{ values.version }}"
  size             = "${{ values.size }}"
}
