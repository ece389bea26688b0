/**
 * Brazilian names, documents and case titles for the benchmark seed. Every CPF, CNPJ and CNJ
 * number is built from random digits and then validated by the app's own domain modules.
 */
// Relative imports only: this runs under tsx, which does not resolve SvelteKit's $lib alias.
import { computeCnjCheckDigits, validateCnj } from '../../src/lib/domain/cnj';
import { validateCnpj } from '../../src/lib/domain/cnpj';
import { validateCpf } from '../../src/lib/domain/cpf';
import type { ActionType } from '../../src/lib/domain/split';
import type { Random } from './random';

const FIRST_NAMES = [
	'José',
	'João',
	'Antônio',
	'Francisco',
	'Carlos',
	'Paulo',
	'Pedro',
	'Lucas',
	'Luíz',
	'Marcos',
	'Luís',
	'Gabriel',
	'Rafael',
	'Daniel',
	'Marcelo',
	'Bruno',
	'Eduardo',
	'Felipe',
	'Raimundo',
	'Rodrigo',
	'Maria',
	'Ana',
	'Francisca',
	'Antônia',
	'Adriana',
	'Juliana',
	'Márcia',
	'Fernanda',
	'Patrícia',
	'Aline',
	'Sandra',
	'Camila',
	'Amanda',
	'Bruna',
	'Jéssica',
	'Letícia',
	'Júlia',
	'Luciana',
	'Vanessa',
	'Mariana',
	'Conceição',
	'Benedita',
	'Sebastião',
	'Inês',
	'Cláudio',
	'Fábio',
	'Vitória',
	'Heloísa',
	'Otávio',
	'Caetano'
];

const SURNAMES = [
	'Silva',
	'Santos',
	'Oliveira',
	'Souza',
	'Rodrigues',
	'Ferreira',
	'Alves',
	'Pereira',
	'Lima',
	'Gomes',
	'Costa',
	'Ribeiro',
	'Martins',
	'Carvalho',
	'Almeida',
	'Lopes',
	'Soares',
	'Fernandes',
	'Vieira',
	'Barbosa',
	'Rocha',
	'Dias',
	'Nascimento',
	'Andrade',
	'Moreira',
	'Nunes',
	'Marques',
	'Machado',
	'Mendes',
	'Freitas',
	'Cardoso',
	'Ramos',
	'Gonçalves',
	'Santana',
	'Teixeira',
	'Araújo',
	'Ávila',
	'Brandão',
	'Assunção',
	'Conceição',
	'Guimarães',
	'Magalhães',
	'Simões',
	'Falcão',
	'Estêvão',
	'Peçanha',
	'Romão',
	'Leão',
	'Sá',
	'Brito'
];

const COMPANY_WORDS = [
	'Comércio',
	'Transportes',
	'Construções',
	'Alimentos',
	'Serviços',
	'Indústria',
	'Agropecuária',
	'Tecnologia',
	'Distribuidora',
	'Engenharia',
	'Logística',
	'Metalúrgica',
	'Farmácia',
	'Padaria'
];

const COMPANY_SUFFIXES = ['Ltda', 'Ltda.', 'S.A.', 'ME', 'EIRELI', 'EPP'];

const TITLES: Record<ActionType, readonly string[]> = {
	civil: [
		'Ação de cobrança',
		'Indenização por danos morais',
		'Revisão de contrato bancário',
		'Despejo por falta de pagamento',
		'Execução de título extrajudicial',
		'Inventário e partilha'
	],
	labor: [
		'Reclamação trabalhista',
		'Horas extras e adicional noturno',
		'Verbas rescisórias',
		'Reconhecimento de vínculo empregatício',
		'Insalubridade e periculosidade'
	],
	administrative_social_security: [
		'Aposentadoria por idade (requerimento administrativo)',
		'Benefício de prestação continuada (BPC/LOAS)',
		'Pensão por morte (INSS)',
		'Salário-maternidade'
	],
	social_security_back_pay: [
		'Revisão de aposentadoria: atrasados',
		'Auxílio-doença: parcelas vencidas',
		'Aposentadoria especial: atrasados'
	],
	social_security_rpv_court_order: [
		'Aposentadoria por invalidez: RPV',
		'Revisão da vida toda: precatório',
		'Auxílio-acidente: requisição de pequeno valor'
	]
};

/** CNJ judicial branches (J) with plausible courts (TR): state, labor and federal courts. */
const COURTS: Record<ActionType, readonly { branch: number; courts: readonly number[] }[]> = {
	civil: [{ branch: 8, courts: [26, 19, 13, 21, 16] }],
	labor: [{ branch: 5, courts: [2, 15, 1, 4, 3] }],
	administrative_social_security: [{ branch: 4, courts: [3, 1, 4] }],
	social_security_back_pay: [{ branch: 4, courts: [3, 1, 4] }],
	social_security_rpv_court_order: [{ branch: 4, courts: [3, 1, 4] }]
};

const COURT_NAMES: Record<number, string> = {
	8: 'Justiça Estadual',
	5: 'Justiça do Trabalho',
	4: 'Justiça Federal'
};

export function personName(random: Random): string {
	const surnames = random.chance(0.6)
		? `${random.pick(SURNAMES)} ${random.pick(SURNAMES)}`
		: random.pick(SURNAMES);
	return `${random.pick(FIRST_NAMES)} ${surnames}`;
}

export function companyName(random: Random): string {
	return `${random.pick(SURNAMES)} ${random.pick(COMPANY_WORDS)} ${random.pick(COMPANY_SUFFIXES)}`;
}

export function caseTitle(random: Random, actionType: ActionType, clientName: string): string {
	return `${random.pick(TITLES[actionType])}: ${clientName}`;
}

/** Returns the first valid document among `base` followed by each 2-digit suffix. */
function completeDocument(base: string, validate: typeof validateCpf): string | null {
	for (let check = 0; check < 100; check++) {
		const result = validate(base + String(check).padStart(2, '0'));
		if (result.ok) return result.value;
	}
	return null;
}

/** Returns a CPF that `used` does not contain yet, and adds it. */
export function uniqueCpf(random: Random, used: Set<string>): string {
	for (;;) {
		const base = String(random.int(1, 999_999_998)).padStart(9, '0');
		const cpf = completeDocument(base, validateCpf);
		if (cpf && !used.has(cpf)) {
			used.add(cpf);
			return cpf;
		}
	}
}

const ALPHANUMERIC = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/**
 * Returns a CNPJ that `used` does not contain yet, and adds it. An alphanumeric one has
 * letters in its 8-character root, as issued from July 2026.
 */
export function uniqueCnpj(random: Random, used: Set<string>, alphanumeric: boolean): string {
	for (;;) {
		let root = '';
		for (let i = 0; i < 8; i++) {
			root += alphanumeric ? random.pick([...ALPHANUMERIC]) : String(random.int(0, 9));
		}
		const branch = String(random.int(1, 3)).padStart(4, '0');
		const cnpj = completeDocument(root + branch, validateCnpj);
		if (cnpj && !used.has(cnpj)) {
			used.add(cnpj);
			return cnpj;
		}
	}
}

/**
 * Returns a valid CNJ number (20 digits) filed in `year` whose sequence is `sequence`, unique
 * per year and court, and the court's name.
 */
export function cnjNumber(
	random: Random,
	actionType: ActionType,
	sequence: number,
	year: number
): { cnj: string; court: string } {
	const { branch, courts } = random.pick(COURTS[actionType]);
	const court = random.pick(courts);
	const origin = random.int(1, 9999);
	const digits = computeCnjCheckDigits(sequence, year, branch, court, origin);
	const text =
		String(sequence).padStart(7, '0') +
		digits +
		String(year) +
		String(branch) +
		String(court).padStart(2, '0') +
		String(origin).padStart(4, '0');

	const result = validateCnj(text);
	if (!result.ok) throw new Error(`Generated an invalid CNJ number ${text}: ${result.reason}.`);
	return { cnj: result.value, court: `${COURT_NAMES[branch]} – TR ${court}` };
}
